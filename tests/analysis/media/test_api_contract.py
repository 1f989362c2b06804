"""The API answers with exactly the documented fields."""

import pytest

import ml
from tests.analysis.helpers import finished_photo
from tests.photos import astronaut, encode, upload


def test_an_upload_answers_202_with_id_status_and_url(alice_api):
    response = alice_api.post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")

    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"id", "status", "url"}
    assert body["status"] == "queued"
    assert body["url"].endswith(f"/api/media/{body['id']}/")
    assert response["Location"] == body["url"]


def test_a_rejected_upload_answers_400_with_the_reason(alice_api):
    response = alice_api.post("/api/media/", {"file": upload(b"not an image")}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["This is not a JPEG, PNG or WebP image. Clips must be MP4, MOV, WebM or AVI."]}


def test_an_upload_without_a_file_answers_400(alice_api):
    response = alice_api.post("/api/media/", {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


def test_the_detail_has_exactly_the_documented_fields(alice, alice_api):
    media = finished_photo(alice, faces=2)

    body = alice_api.get(f"/api/media/{media.pk}/").json()

    assert set(body) == {
        "id", "kind", "status", "error", "progress", "summary", "faces", "expected_emotion", "collection", "anonymized"
    }  # fmt: skip
    assert body["anonymized"] == {
        "status": "",
        "url": None,
        "request": f"http://testserver/api/media/{media.pk}/anonymized/",
    }
    assert body["id"] == str(media.pk)
    assert body["kind"] == "photo"
    assert body["status"] == "done"
    assert body["error"] == ""
    assert body["progress"] == 1.0
    assert body["summary"]["face_count"] == 2
    assert body["summary"]["dominant_emotion"] == "happy"
    assert body["summary"]["model_version"] == "test"
    assert body["summary"]["file"] == f"http://testserver/files/{media.pk}/original/"
    assert len(body["faces"]) == 2
    face = body["faces"][0]
    assert set(face) == {"box", "probabilities", "emotion", "confidence", "uncertain"}
    assert face["box"] == [10, 20, 50, 50]
    assert set(face["probabilities"]) == set(ml.EMOTIONS)
    assert sum(face["probabilities"].values()) == pytest.approx(1.0)
    assert face["emotion"] == "happy"
    assert face["confidence"] == pytest.approx(0.7)


def test_the_list_is_paginated_newest_first(alice, alice_api):
    first, second = finished_photo(alice), finished_photo(alice)

    body = alice_api.get("/api/media/").json()

    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [str(second.pk), str(first.pk)]
    assert {"next", "previous"} <= set(body)


def test_the_list_filters_by_status_emotion_and_date(alice, alice_api):
    done = finished_photo(alice)
    queued = finished_photo(alice)
    queued.__class__.objects.filter(pk=queued.pk).update(status="queued", dominant_emotion="")
    today = done.created_at.date().isoformat()

    def ids(query):
        response = alice_api.get(f"/api/media/?{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["results"]]

    assert ids("status=done") == [str(done.pk)]
    assert ids("status=queued") == [str(queued.pk)]
    assert ids("emotion=happy") == [str(done.pk)]
    assert ids("emotion=sad") == []
    assert len(ids(f"date={today}")) == 2
    assert ids("created_before=2000-01-01") == []
    assert len(ids(f"created_after={today}")) == 2
    assert alice_api.get("/api/media/?status=nonsense").status_code == 400


def test_delete_removes_the_item_and_its_files(alice, alice_api, media_root, django_capture_on_commit_callbacks):
    media = finished_photo(alice)
    paths = [media_root / media.file.name, media_root / media.thumbnail.name]
    assert all(path.exists() for path in paths)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.delete(f"/api/media/{media.pk}/")

    assert response.status_code == 204
    assert not media.__class__.objects.filter(pk=media.pk).exists()
    assert not any(path.exists() for path in paths)


def test_the_api_requires_authentication(db, make_api_client):
    assert make_api_client().get("/api/media/").status_code == 401
