"""IPv6 forms that lead to an IPv4 address (NAT64, IPv4-compatible, 6to4) are judged by that IPv4
address, and NAT64's local-use prefix is refused: checked on the addresses alone, never by connecting."""

import pytest

from analysis.webhooks.http_client import address_allowed


@pytest.fixture(autouse=True)
def _public_only(settings):
    settings.FER_WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254, the cloud metadata address
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::7f00:1",  # local-use NAT64: refused whole
        "64:ff9b:1:ffff::808:808",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2002:c0a8:1::",  # 6to4 of 192.168.0.1
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::a9fe:a9fe",
        "::ffff:127.0.0.1",
    ],
)
def test_a_transition_address_of_a_private_ipv4_address_is_refused(address):
    assert not address_allowed(address)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "2606:4700:4700::1111", "8.8.8.8"])
def test_a_transition_address_of_a_public_ipv4_address_is_allowed(address):
    assert address_allowed(address)
