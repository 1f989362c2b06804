"""POST /api/media/?wait=N (issue 24, item 12): 201 with the finished item when the analysis ends within
N seconds, else 202 as without it; the analysis still runs in a worker, the item is stored and listed as
any other, and limits and throttles apply."""

import threading

import pytest

from analysis.media import waiting
from analysis.models import Media
from ml.pipeline import Face
from tests.analysis.helpers import PROBABILITIES
from tests.photos import astronaut, encode, upload


def send(client, query: str = "", data: bytes | None = None, **headers):
    body = {"file": upload(data or encode(astronaut()))}
    return client.post(f"/api/media/{query}", body, format="multipart", **headers)


@pytest.mark.worker
def test_a_photo_sent_with_wait_answers_201_with_its_faces_from_a_real_worker(alice_api, celery_worker_process):
    response = send(alice_api, "?wait=30")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["summary"]["face_count"] == 1
    assert len(body["faces"]) == 1 and body["faces"][0]["emotion"]
    assert response["Location"] == f"http://testserver/api/media/{body['id']}/"
    assert [item["id"] for item in alice_api.get("/api/media/").json()["results"]] == [body["id"]]


def test_an_analysis_that_ends_during_the_wait_is_answered_201(alice_api, sent_tasks, transactional_db):
    def worker():  # stands in for the worker: finishes whatever is queued
        for _ in range(200):
            media = Media.objects.filter(status="queued").first()
            if media is not None:
                media.mark_processing()
                media.mark_done([Face((10, 20, 50, 50), PROBABILITIES, "happy", 0.7)], model_version="t", timings={})
                return
            threading.Event().wait(0.05)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        response = send(alice_api, "?wait=30")
    finally:
        thread.join()

    assert response.status_code == 201
    assert response.json()["status"] == "done" and response.json()["faces"][0]["emotion"] == "happy"


def test_without_a_worker_the_wait_ends_with_202_and_the_item_queued(alice_api, sent_tasks):
    response = send(alice_api, "?wait=0.2")

    assert response.status_code == 202
    assert set(response.json()) == {"id", "status", "url"}
    assert Media.objects.get(pk=response.json()["id"]).status == "queued"


@pytest.mark.parametrize("wait", ["31", "-1", "soon"])
def test_a_wait_outside_0_to_30_seconds_is_400_and_stores_nothing(alice_api, sent_tasks, wait):
    response = send(alice_api, f"?wait={wait}")

    assert response.status_code == 400 and "wait" in response.json()
    assert Media.objects.count() == 0


def test_the_upload_throttle_counts_waiting_uploads(alice_api, sent_tasks, settings):
    settings.FER_UPLOAD_RATE = "1/min"

    first = send(alice_api, "?wait=0")
    second = send(alice_api, "?wait=5")

    assert first.status_code == 202
    assert second.status_code == 429 and second["Retry-After"]
    assert Media.objects.count() == 1


def test_a_rejected_file_is_400_whatever_the_wait(alice_api, sent_tasks):
    response = send(alice_api, "?wait=5", data=b"not an image")

    assert response.status_code == 400 and "file" in response.json()


@pytest.fixture
def waits(monkeypatch):
    """The ids each waiting upload read until its end (no worker: the wait itself is not under test)."""
    read = []

    def wait_until_final(media_id, timeout_s):
        read.append(str(media_id))

    monkeypatch.setattr("analysis.media.services.wait_until_final", wait_until_final)
    return read


def test_past_the_users_limit_of_open_waits_an_upload_answers_202_at_once_and_is_still_analysed(
    alice, alice_api, sent_tasks, settings, waits, django_capture_on_commit_callbacks
):
    settings.FER_UPLOAD_WAITS_PER_USER = 1
    with waiting.slot(alice.pk), django_capture_on_commit_callbacks(execute=True):  # one is waiting already
        response = send(alice_api, "?wait=30")

    assert response.status_code == 202 and waits == []
    assert [item["id"] for item in alice_api.get("/api/media/").json()["results"]] == [response.json()["id"]]
    assert len(sent_tasks) == 1


def test_another_users_open_waits_do_not_count_and_every_slot_is_given_back(
    alice, bob_api, sent_tasks, settings, waits
):
    settings.FER_UPLOAD_WAITS_PER_USER = 1
    with waiting.slot(alice.pk):
        response = send(bob_api, "?wait=30")

    assert response.status_code == 202 and waits == [response.json()["id"]]  # bob's upload did wait
    assert waiting.held(alice.pk) == 0
    assert waiting.held(response.wsgi_request.user.pk) == 0
