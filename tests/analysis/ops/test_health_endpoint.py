"""GET /healthz/: 200 when the database, the broker and the storage answer within a second, else 503
naming what failed; no log-in, and nothing in it but the three names and their states."""

import threading
import time

from django.test import Client

from analysis.ops import health


def test_it_answers_ok_for_all_three_without_a_login(db):
    response = Client().get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_ok_with_a_bucket_as_the_storage(db, bucket):
    assert Client().get("/healthz/").json()["storage"] == "ok"


def test_it_names_a_failed_check_and_says_nothing_of_why(db, monkeypatch):
    def broken():
        raise ConnectionError("redis://:hunter2@broker:6379/0 refused")

    monkeypatch.setitem(health.CHECKS, "broker", broken)

    response = Client().get("/healthz/")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "failed", "storage": "ok"}
    assert b"hunter2" not in response.content


def test_a_check_that_hangs_is_a_timeout_after_a_second_and_is_not_started_twice(db, monkeypatch):
    release, calls = threading.Event(), []
    monkeypatch.setitem(health.CHECKS, "storage", lambda: calls.append(1) or release.wait(10))

    try:
        started = time.monotonic()
        response = Client().get("/healthz/")
        assert time.monotonic() - started < 1.8
        assert response.status_code == 503 and response.json()["storage"] == "timeout"
        assert Client().get("/healthz/").json()["storage"] == "timeout"
        assert calls == [1]
    finally:
        release.set()
        health._running["storage"].result(timeout=5)


def test_it_turns_503_within_a_second_of_the_broker_stopping_and_200_when_it_returns(db, private_redis):
    start, stop = private_redis
    client = Client()
    assert client.get("/healthz/").status_code == 200

    stop()
    stopped = time.monotonic()
    response = client.get("/healthz/")

    assert time.monotonic() - stopped < 1.0
    assert response.status_code == 503 and response.json()["broker"] in ("failed", "timeout")
    start()
    assert client.get("/healthz/").status_code == 200
