"""With the broker and the rate-limit cache on one Redis (the README's production layout), an upload
while that Redis is stopped, paused or restarting is accepted (202 JSON) and kept queued: the cache
fails open with a logged warning, and the broker's send is left to the sweeper."""

import logging
import os
import signal

import pytest

from analysis.models import Media
from tests.analysis.clips import api_client
from tests.analysis.helpers import assert_no_orphan_files
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.faults


def post_photo(user):
    return api_client(user).post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")


def assert_accepted_and_queued(response, user):
    assert response.status_code == 202, response.content[:500]
    assert response["Content-Type"] == "application/json"
    media = Media.objects.get(pk=response.json()["id"])
    assert (media.status, media.attempts) == ("queued", 0)
    assert media.file and media.thumbnail
    assert_no_orphan_files(user)


def test_an_upload_while_redis_is_stopped_is_accepted_with_a_warning(alice, redis_cache, caplog):
    assert post_photo(alice).status_code == 202  # counted in Redis first
    redis_cache.stop()

    with caplog.at_level(logging.WARNING, logger="analysis.web.cache"):
        response = post_photo(alice)

    assert_accepted_and_queued(response, alice)
    assert any("rate limits are counted per process" in record.getMessage() for record in caplog.records)


def test_an_upload_while_redis_is_paused_is_accepted(alice, redis_cache):
    assert post_photo(alice).status_code == 202
    os.kill(redis_cache.process.pid, signal.SIGSTOP)
    try:
        response = post_photo(alice)
    finally:
        os.kill(redis_cache.process.pid, signal.SIGCONT)

    assert_accepted_and_queued(response, alice)


def test_the_upload_limit_still_holds_per_process_while_redis_is_down(alice, redis_cache, settings):
    settings.FER_UPLOAD_RATE = "2/min"
    redis_cache.stop()

    answers = [post_photo(alice) for _ in range(3)]

    assert [response.status_code for response in answers] == [202, 202, 429]
    assert "Retry-After" in answers[2]


def test_uploads_across_a_redis_restart_are_all_accepted(alice, redis_cache):
    answers = [post_photo(alice)]
    redis_cache.stop()
    answers.append(post_photo(alice))
    redis_cache.start()
    answers.append(post_photo(alice))

    assert [response.status_code for response in answers] == [202, 202, 202]
    assert Media.objects.filter(user=alice).count() == 3
