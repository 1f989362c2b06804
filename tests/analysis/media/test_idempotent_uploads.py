"""POST /api/media/ with an Idempotency-Key: a repeat within 24 hours answers the first request's status
and body and stores nothing new; the same key with another file is 422."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.media.idempotency import IdempotentUpload
from analysis.models import Media
from tests.photos import astronaut, encode, upload


def post(client, key, data: bytes, **extra):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post("/api/media/", {"file": upload(data), **extra}, format="multipart", **headers)


@pytest.fixture
def photo() -> bytes:
    return encode(astronaut())


def test_a_repeat_answers_the_first_status_and_body_and_stores_nothing(alice_api, photo, sent_tasks):
    first = post(alice_api, "upload-1", photo)
    again = post(alice_api, "upload-1", photo)

    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Media.objects.count() == 1


def test_a_repeat_while_the_item_is_processed_answers_the_same(alice_api, photo, sent_tasks):
    first = post(alice_api, "upload-1", photo)
    Media.objects.update(status="processing")

    assert post(alice_api, "upload-1", photo).json() == first.json()


def test_the_same_key_with_another_file_is_422(alice_api, photo, sent_tasks):
    post(alice_api, "upload-1", photo)

    other = post(alice_api, "upload-1", encode(astronaut()[:200, :200]))

    assert other.status_code == 422
    assert Media.objects.count() == 1


def test_without_a_key_every_request_stores_a_new_item(alice_api, photo, sent_tasks):
    post(alice_api, None, photo)
    post(alice_api, None, photo)

    assert Media.objects.count() == 2


def test_a_key_is_per_user(alice_api, bob_api, photo, sent_tasks):
    mine = post(alice_api, "shared-key", photo)
    his = post(bob_api, "shared-key", photo)

    assert his.status_code == 202 and his.json()["id"] != mine.json()["id"]


def test_a_key_older_than_24_hours_is_forgotten(alice_api, photo, sent_tasks):
    first = post(alice_api, "upload-1", photo)
    IdempotentUpload.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    again = post(alice_api, "upload-1", photo)

    assert again.status_code == 202 and again.json()["id"] != first.json()["id"]


def test_a_key_longer_than_255_characters_is_refused(alice_api, photo):
    assert post(alice_api, "k" * 256, photo).status_code == 400
    assert Media.objects.count() == 0


def test_a_rejected_upload_leaves_the_key_free_for_a_retry(alice_api, photo, sent_tasks):
    rejected = post(alice_api, "upload-1", b"not an image")

    retried = post(alice_api, "upload-1", photo)

    assert rejected.status_code == 400
    assert retried.status_code == 202 and Media.objects.count() == 1


def test_a_repeat_during_the_first_request_waits_for_its_answer(alice_api, alice, photo, transactional_db):
    import hashlib

    # The first request has reserved the key and is still storing its file.
    digest = hashlib.sha256(b"sample_fps=\nevery_frame=\nkeep_media=\n" + photo).hexdigest()
    record = IdempotentUpload.objects.create(user=alice, key="upload-1", fingerprint=digest)
    first = Media.objects.create(user=alice, original_name="astronaut.jpg")
    answer = {"id": str(first.pk), "status": "queued", "url": f"http://testserver/api/media/{first.pk}/"}

    def finish_first():
        IdempotentUpload.objects.filter(pk=record.pk).update(status_code=202, body=answer)

    timer = threading.Timer(0.5, finish_first)
    timer.start()
    try:
        again = post(alice_api, "upload-1", photo)
    finally:
        timer.join()

    assert again.status_code == 202 and again.json() == answer
    assert list(Media.objects.all()) == [first]


def test_the_schema_documents_the_header(alice_api):
    schema = alice_api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    upload_operation = schema["paths"]["/api/media/"]["post"]

    assert "Idempotency-Key" in [p["name"] for p in upload_operation["parameters"] if p["in"] == "header"]
    assert "422" in upload_operation["responses"]
