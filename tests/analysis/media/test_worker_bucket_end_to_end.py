"""No shared folder: the web process (this one) and a real worker have DIFFERENT MEDIA_ROOT folders and
share only the broker, the database and a bucket on an S3-compatible server (moto, on 127.0.0.1)."""

import os
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.jobs import scratch
from analysis.models import Media
from tests.analysis.clips import api_client
from tests.celery_worker import wait_until_final
from tests.photos import astronaut, encode, upload
from tests.videos import clip_file, clip_upload

pytestmark = pytest.mark.worker


def fetch(url: str, headers: dict | None = None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
        return answer.status, answer.read()


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def wait_for_annotated(client, request_url: str, worker, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while (state := client.get(request_url).json())["status"] != "done":
        assert state["status"] in ("queued", "processing") and time.monotonic() < deadline, worker.output()[-3000:]
        time.sleep(0.3)
    return state["url"]


def test_a_photo_and_a_clip_go_through_a_worker_that_shares_only_the_bucket(
    alice, bob, bucket, media_root, tmp_path, start_celery_worker
):
    worker_media_root, worker_tmp = tmp_path / "worker-media", tmp_path / "worker-tmp"
    worker_tmp.mkdir()
    # What a worker killed mid-clip left behind: swept when the next worker starts.
    stale = worker_tmp / f"{scratch.PREFIX}999999-killed"
    stale.mkdir()
    (stale / scratch.LOCK_NAME).touch()
    (stale / "fer-half-copied.mp4").write_bytes(b"\0" * 1024)
    worker = start_celery_worker(
        env={**bucket.environment, "MEDIA_ROOT": str(worker_media_root), "TMPDIR": str(worker_tmp)}
    )
    assert worker_media_root != media_root and not stale.exists()
    client = api_client(alice)

    photo_id = client.post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart").json()["id"]
    clip = client.post("/api/media/", {"file": clip_upload(clip_file(tmp_path, seconds=2))}, format="multipart")
    photo, clip_item = Media.objects.get(pk=photo_id), Media.objects.get(pk=clip.json()["id"])
    for media in (photo, clip_item):
        assert wait_until_final(media, worker=worker).status == "done", media.error
    assert photo.face_count == 1 and clip_item.people == 1
    body = client.get(f"/api/media/{clip_item.pk}/").json()
    assert client.post(body["exports"]["annotated"]["request"]).status_code == 202
    annotated = wait_for_annotated(client, body["exports"]["annotated"]["request"], worker)

    urls = [
        f"/files/{photo.pk}/original/",
        f"/files/{photo.pk}/thumbnail/",
        f"/files/{clip_item.pk}/original/",
        f"/files/{clip_item.pk}/thumbnail/",
        body["player"],
        annotated,
    ]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 302, (url, answer.status_code)
        status, content = fetch(answer["Location"])
        assert status == 200 and len(content) > 100, url
        assert api_client(bob).get(url).status_code == 404, url
    status, first_bytes = fetch(client.get(body["player"])["Location"], {"Range": "bytes=0-1023"})
    assert status == 206 and len(first_bytes) == 1024
    keys = bucket.keys(f"users/{alice.pk}/")
    assert len(keys) == 6, keys  # photo and thumbnail; clip, poster, playable and annotated copies

    for media in (photo, clip_item):
        assert client.delete(f"/api/media/{media.pk}/").status_code == 204

    assert bucket.keys(f"users/{alice.pk}/") == []
    # Nothing was written under either MEDIA_ROOT, and the worker left no temporary file.
    assert files_under(media_root) == [] and files_under(worker_media_root) == []
    left = [path for path in files_under(worker_tmp) if path.name != scratch.LOCK_NAME]
    assert left == [], left
    assert all(os.path.basename(path.parent).startswith(scratch.PREFIX) for path in files_under(worker_tmp))
