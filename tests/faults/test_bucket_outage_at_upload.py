"""An upload while the bucket is down (killed) or hung (paused with SIGSTOP) answers a JSON 503 with
Retry-After, within the storage deadline, stores nothing, and leaves its Idempotency-Key free: the same
request retried once the bucket is back is accepted, once."""

import pytest

from analysis.jobs import dispatch
from analysis.media.idempotency import IdempotentUpload
from analysis.models import Media
from tests.analysis.clips import api_client
from tests.photos import astronaut, encode, upload
from tests.videos import clip_file, clip_upload

pytestmark = pytest.mark.faults

PHOTO = encode(astronaut())


@pytest.fixture
def sent_tasks(monkeypatch):
    """No broker: the tasks an upload sends are only counted."""
    sent = []
    monkeypatch.setattr(dispatch.app, "send_task", lambda name, args=None, **options: sent.append(name))
    return sent


def post(user, key, file=None):
    file = file or upload(PHOTO)
    return api_client(user).post("/api/media/", {"file": file}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)


def assert_storage_unavailable(response, user):
    assert response.status_code == 503, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert "storage is unavailable" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert not Media.objects.filter(user=user).exists()
    assert not IdempotentUpload.objects.filter(user=user).exists()


def assert_retry_accepted_once(user, key, bucket):
    response = post(user, key)
    assert response.status_code == 202, response.content[:500]
    media = Media.objects.get(user=user)
    assert bucket.keys(f"users/{user.pk}/") == sorted([media.file.name, media.thumbnail.name])
    replay = post(user, key)
    assert replay.status_code == 202 and replay["Idempotent-Replayed"] == "true"
    assert Media.objects.filter(user=user).count() == 1


def test_an_upload_while_the_bucket_is_down_is_a_json_503_and_its_retry_is_accepted(alice, bucket_process, sent_tasks):
    bucket_process.server.kill()

    assert_storage_unavailable(post(alice, "key-1"), alice)

    bucket_process.server.start()
    bucket_process.server.new_bucket(bucket_process.name)  # moto forgets its buckets when killed
    assert_retry_accepted_once(alice, "key-1", bucket_process)


def test_an_upload_while_the_bucket_hangs_ends_at_the_deadline_with_a_json_503(alice, bucket_process, sent_tasks):
    bucket_process.server.pause()
    try:
        response = post(alice, "key-2")
    finally:
        bucket_process.server.resume()

    assert_storage_unavailable(response, alice)
    assert bucket_process.keys() == []
    assert_retry_accepted_once(alice, "key-2", bucket_process)


def test_a_clip_upload_while_the_bucket_is_down_is_a_json_503(alice, bucket_process, sent_tasks, tmp_path):
    bucket_process.server.kill()

    response = api_client(alice).post("/api/media/", {"file": clip_upload(clip_file(tmp_path, seconds=1))})

    assert_storage_unavailable(response, alice)
