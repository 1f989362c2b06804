"""One rule for the client's address: the socket's unless FER_TRUSTED_PROXIES says how many proxies
append to X-Forwarded-For; the log-in lock-out, the activity log and DRF's throttles all follow it."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from accounts import ratelimit
from analysis.web.addresses import client_address


def request_from(remote="10.0.0.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.FER_TRUSTED_PROXIES = 0

    assert client_address(request_from(forwarded="203.0.113.5")) == "10.0.0.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entry comes first and is skipped
        (2, "6.6.6.6, 203.0.113.5, 10.1.1.1", "203.0.113.5"),
        (3, "203.0.113.5", "203.0.113.5"),  # fewer hops than proxies: the farthest one
        (1, None, "10.0.0.9"),
    ],
)
def test_with_trusted_proxies_the_address_the_outermost_one_saw_is_used(settings, proxies, forwarded, expected):
    settings.FER_TRUSTED_PROXIES = proxies

    assert client_address(request_from(forwarded=forwarded)) == expected


def test_the_log_in_lock_out_uses_the_same_rule(settings):
    settings.FER_TRUSTED_PROXIES = 0

    assert ratelimit.client_address(request_from(forwarded="203.0.113.5")) == "10.0.0.9"


def test_drfs_own_address_rule_agrees():
    # NUM_PROXIES comes from FER_TRUSTED_PROXIES (0 by default), read once by DRF at start-up.
    request = Request(request_from(forwarded="203.0.113.5"))

    assert BaseThrottle().get_ident(request) == "10.0.0.9"
