"""The whole path: API upload -> commit -> real broker -> real `celery -A fer_site worker` -> result.

One worker serves the whole module (`shared_celery_worker`); each test waits for its own items."""

import pytest

import ml
from analysis.models import Media
from tests.celery_worker import wait_until_final
from tests.photos import astronaut, encode, group_photo, upload

pytestmark = pytest.mark.worker


def test_an_uploaded_photo_is_analysed_by_a_real_worker(alice_api, shared_celery_worker):
    response = alice_api.post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")
    assert response.status_code == 202, response.content
    media = Media.objects.get(pk=response.json()["id"])

    wait_until_final(media, worker=shared_celery_worker)

    body = alice_api.get(response.json()["url"]).json()
    assert body["status"] == "done", body
    assert body["progress"] == 1.0
    assert body["summary"]["face_count"] == 1
    assert body["summary"]["model_version"] == ml.MODEL_VERSION
    assert {"detect_ms", "classify_ms", "total_ms"} <= set(body["summary"]["timings"])
    (face,) = body["faces"]
    x, y, w, h = face["box"]
    # The astronaut's face is around x 170-250, y 60-160 of the 512 x 512 picture.
    assert 120 < x + w / 2 < 300 and 40 < y + h / 2 < 200, face["box"]
    assert set(face["probabilities"]) == set(ml.EMOTIONS)
    assert media.attempts == 1


def test_several_uploads_are_all_analysed(alice, bob, shared_celery_worker):
    from analysis.media.services import create_media

    items = [
        create_media(alice, upload(encode(astronaut()))),
        create_media(bob, upload(encode(group_photo(3)), "group.png")),
        create_media(alice, upload(encode(astronaut()[:100, :100]), "no-face.jpg")),
    ]

    counts = [wait_until_final(media, worker=shared_celery_worker).face_count for media in items]

    assert [media.status for media in items] == ["done"] * 3
    assert counts == [1, 3, 0]
