"""A live frame while Redis (broker and result backend) is stopped or restarting answers 503 busy with
Retry-After, as a missed deadline does, within about a second (not a JSON 500 after Celery's 19 s of
reconnecting); while Redis is hung (paused) it answers busy within seconds, not never (socket time-outs);
once Redis is back the next frame gets its reply, with no web process restarted."""

import json
import logging
import os
import signal
import threading
import time

import pytest
from rest_framework.test import APIClient

from fer_site.celery import app
from tests.analysis.live.frames import face_frame, post_frame

pytestmark = pytest.mark.faults

REPLY = {"faces": [], "timings_ms": {"worker_ms": 1.0}}


@pytest.fixture
def alice_live(alice) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


def assert_busy(response, waited: float, limit: float, retry_after: str = "1"):
    """The answer of a missed deadline: Retry-After is the deadline in whole seconds."""
    assert response.status_code == 503, response.content[:500]
    assert response.json() == {"detail": "busy"}
    assert response["Retry-After"] == retry_after
    assert waited < limit, waited


def answer_one_frame(redis_server, stop: threading.Event) -> threading.Thread:
    """A stand-in for a live worker: takes the next frame off the `live` queue and stores its reply."""

    def answer():
        client = redis_server.client()
        while not stop.is_set():
            taken = client.brpop("live", timeout=1)
            if taken:
                task_id = json.loads(taken[1])["headers"]["id"]
                app.backend.store_result(task_id, REPLY, "SUCCESS")
                return

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    return thread


def test_a_frame_while_redis_is_stopped_answers_busy_at_once(alice_live, broker, settings, caplog):
    settings.FER_LIVE_DEADLINE_MS = 1000
    broker.stop()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="analysis.live.frames"):
        response = post_frame(alice_live, face_frame())

    assert_busy(response, time.monotonic() - started, limit=5)
    assert any("broker is unavailable" in record.getMessage() for record in caplog.records)


def test_a_frame_waiting_for_its_reply_when_redis_stops_answers_busy(alice_live, broker, settings):
    settings.FER_LIVE_DEADLINE_MS = 3000  # no worker: the reply is still awaited when Redis stops
    stopper = threading.Timer(0.5, broker.stop)
    stopper.start()

    started = time.monotonic()
    response = post_frame(alice_live, face_frame())
    stopper.join()

    assert_busy(response, time.monotonic() - started, limit=3 + 3, retry_after="3")


def test_once_redis_is_back_the_next_frame_gets_its_reply(alice_live, broker, settings):
    settings.FER_LIVE_DEADLINE_MS = 500
    assert post_frame(alice_live, face_frame()).status_code == 503  # no worker yet: a missed deadline
    broker.stop()
    assert post_frame(alice_live, face_frame()).status_code == 503
    broker.start()
    settings.FER_LIVE_DEADLINE_MS = 5000

    stop = threading.Event()
    worker = answer_one_frame(broker, stop)
    try:
        response = post_frame(alice_live, face_frame())
    finally:
        stop.set()
        worker.join(timeout=5)

    assert response.status_code == 200, response.content[:500]
    assert response.json()["faces"] == [] and "round_trip_ms" in response.json()["timings_ms"]


def test_a_frame_while_redis_is_paused_answers_busy_within_seconds(alice_live, broker, settings):
    settings.FER_LIVE_DEADLINE_MS = 1000
    os.kill(broker.process.pid, signal.SIGSTOP)  # hung: connections open, nothing answered
    try:
        started = time.monotonic()
        response = post_frame(alice_live, face_frame())
        waited = time.monotonic() - started
    finally:
        os.kill(broker.process.pid, signal.SIGCONT)

    assert_busy(response, waited, limit=10)
