"""Clips through the whole path: API upload -> real broker -> real worker -> rows, failures, cancel."""

import time

import pytest

from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.clips import api_client
from tests.celery_worker import wait_until_final
from tests.photos import astronaut, encode, upload
from tests.videos import clip_file, clip_upload, faststart_h264, truncated

pytestmark = pytest.mark.worker


def test_broken_and_over_budget_clips_fail_and_the_worker_keeps_serving(alice, tmp_path, start_celery_worker):
    worker = start_celery_worker(env={"FER_VIDEO_MAX_FRAMES": "25"})
    whole = faststart_h264(clip_file(tmp_path, seconds=2), tmp_path / "h264.mp4")
    client = api_client(alice)

    cut = create_media(alice, clip_upload(truncated(whole, tmp_path / "cut.mp4")))
    too_long = create_media(alice, clip_upload(clip_file(tmp_path, "long.mp4", seconds=3)))
    response = client.post("/api/media/", {"file": clip_upload(whole)}, format="multipart")
    good = Media.objects.get(pk=response.json()["id"])

    for media in (cut, too_long, good):
        wait_until_final(media, worker=worker)
    assert cut.status == "failed" and ("damaged" in cut.error or "truncated" in cut.error), cut.error
    assert too_long.status == "failed" and "more than 25 frames" in too_long.error
    assert good.status == "done", good.error
    body = client.get(response.json()["url"]).json()
    assert body["people"] == 1 and body["duration_ms"] == 2000
    assert body["tracks"][0]["first_timestamp_ms"] == 0
    assert client.get(body["detections_url"]).json()["count"] == 10
    assert client.get(body["player"]).status_code == 200
    # The annotated MP4 is a task of its own, made on request.
    assert client.post(body["exports"]["annotated"]["request"]).status_code == 202
    deadline = time.monotonic() + 60
    while (state := client.get(body["exports"]["annotated"]["request"]).json())["status"] != "done":
        assert state["status"] in ("queued", "processing") and time.monotonic() < deadline, worker.output()[-3000:]
        time.sleep(0.3)
    assert client.get(state["url"])["Content-Type"] == "video/mp4"


def test_cancel_stops_a_running_clip_and_keeps_the_partial_result(alice, tmp_path, celery_worker_process):
    client = api_client(alice)
    path = clip_file(tmp_path, seconds=60, crossing=True)
    response = client.post("/api/media/", {"file": clip_upload(path), "every_frame": "true"}, format="multipart")
    media = Media.objects.get(pk=response.json()["id"])

    deadline = time.monotonic() + 120
    while not (media.status == "processing" and media.progress > 0.1 and media.detections.exists()):
        assert time.monotonic() < deadline, celery_worker_process.output()[-3000:]
        time.sleep(0.2)
        media.refresh_from_db()
    cancelled = client.post(f"/api/media/{media.pk}/cancel/")

    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["partial"] is True
    # The worker stops at its next progress report and stores the summary of what it analysed.
    deadline = time.monotonic() + 30
    while not media.tracks:
        assert time.monotonic() < deadline, celery_worker_process.output()[-3000:]
        time.sleep(0.2)
        media.refresh_from_db()
    rows = media.detections.count()
    # The worker serves the next item. It runs one task at a time (--concurrency=1), so once the photo
    # is done the clip's task has returned: no row can be written after this point, however slow it was.
    photo = create_media(alice, upload(encode(astronaut())))
    assert wait_until_final(photo, worker=celery_worker_process).status == "done"
    assert media.detections.count() == rows
    assert 0 < len(set(media.detections.values_list("frame", flat=True))) < 600
    body = client.get(f"/api/media/{media.pk}/").json()
    assert body["status"] == "cancelled" and body["partial"] is True and body["people"] >= 1
