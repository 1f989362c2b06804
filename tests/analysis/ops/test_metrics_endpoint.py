"""GET /metrics: Prometheus text behind a bearer token (404 when none is configured)."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from analysis.jobs import broker as broker_state
from tests.analysis.helpers import finished_photo

TOKEN = "s3cret-metrics-token"


@pytest.fixture
def token(settings):
    settings.FER_METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(token: str = TOKEN):
    return Client().get("/metrics", headers={"Authorization": f"Bearer {token}"})


def samples(response) -> dict:
    text = response.content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_without_a_configured_token_there_is_no_metrics_page(db, settings):
    settings.FER_METRICS_TOKEN = ""

    assert Client().get("/metrics").status_code == 404
    assert scrape("").status_code == 404


def test_a_wrong_or_missing_token_is_refused(db, token):
    assert Client().get("/metrics").status_code == 401
    assert scrape("not-it").status_code == 401


def test_it_counts_jobs_by_kind_and_status_and_their_durations(alice, token, sent_tasks):
    finished_photo(alice)
    finished_photo(alice)

    response = scrape()

    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    found = samples(response)
    assert found[("fer_jobs", (("kind", "photo"), ("status", "done")))] == 2
    assert found[("fer_jobs", (("kind", "clip"), ("status", "queued")))] == 0
    assert found[("fer_job_duration_seconds_count", (("kind", "photo"),))] == 2
    assert found[("fer_job_duration_seconds_bucket", (("kind", "photo"), ("le", "+Inf")))] == 2
    assert found[("fer_job_queue_wait_seconds_count", (("kind", "photo"),))] == 2
    assert ("fer_job_duration_seconds_count", (("kind", "annotated"),)) in found


def test_it_shows_queue_depth_per_queue(db, token, sent_tasks):
    found = samples(scrape())

    assert {("fer_queue_depth", (("queue", "celery"),)), ("fer_queue_depth", (("queue", "live"),))} <= set(found)


def test_it_lists_worker_heartbeats(db, token):
    broker_state.write_heartbeat("test-metrics@host", ["celery"], ttl_s=60)
    try:
        found = samples(scrape())
    finally:
        broker_state.forget_heartbeat("test-metrics@host")

    assert found[("fer_worker_heartbeat_age_seconds", (("worker", "test-metrics@host"),))] < 5
    assert found[("fer_workers_alive", ())] >= 1


def test_it_counts_the_messages_waiting_in_each_redis_queue(db, token, private_redis):
    client = broker_state.redis_client()
    client.lpush("celery", "a", "b")
    client.lpush("celery\x06\x163", "prioritised")
    client.lpush("live", "frame")

    found = samples(scrape())

    assert found[("fer_queue_depth", (("queue", "celery"),))] == 3
    assert found[("fer_queue_depth", (("queue", "live"),))] == 1
