"""Under keep_media=results_only the original, thumbnail and copies go as soon as the analysis ends (done,
failed, given up after a worker died); the faces and the summary stay, and the file URLs answer 404."""

from pathlib import Path

import pytest
from django.utils import timezone

import ml.pipeline
from analysis.jobs.sweeper import sweep_stale_jobs
from analysis.media.analyses import analyze_media
from analysis.media.services import create_media
from analysis.models import Detection, Media, user_folder
from ml.pipeline import Face
from tests.analysis.clips import api_client
from tests.analysis.helpers import PROBABILITIES, assert_no_orphan_files
from tests.photos import astronaut, encode, upload
from tests.videos import clip_file, clip_upload


class WorkerKilled(BaseException):
    """A killed worker: nothing after it runs."""


@pytest.fixture
def quick_model(monkeypatch):
    monkeypatch.setattr(
        ml.pipeline, "analyze_image", lambda image, **kwargs: [Face((10, 20, 50, 50), PROBABILITIES, "happy", 0.7)]
    )


def files_of(user, media_root) -> list[str]:
    folder = Path(media_root) / user_folder(user.pk)
    return sorted(str(path) for path in folder.rglob("*") if path.is_file())


def make_stale(media, settings):
    stale = timezone.now() - timezone.timedelta(seconds=settings.FER_JOB_STALE_SECONDS + 5)
    Media.objects.filter(pk=media.pk).update(heartbeat_at=stale)


def test_a_photo_analysed_under_results_only_keeps_its_faces_and_no_file(
    alice, quick_model, media_root, django_capture_on_commit_callbacks
):
    media = create_media(alice, upload(encode(astronaut())), keep_media="results_only")
    assert files_of(alice, media_root)  # stored until the analysis ends

    with django_capture_on_commit_callbacks(execute=True):
        analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == "done" and media.face_count == 1
    assert Detection.objects.filter(media=media).count() == 1
    assert not media.file and not media.thumbnail and media.media_deleted_at is not None
    assert files_of(alice, media_root) == []
    assert_no_orphan_files(alice)


def test_a_failed_analysis_under_results_only_deletes_the_media_too(
    alice, monkeypatch, media_root, django_capture_on_commit_callbacks
):
    def explode(image, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ml.pipeline, "analyze_image", explode)
    media = create_media(alice, upload(encode(astronaut())), keep_media="results_only")

    with django_capture_on_commit_callbacks(execute=True):
        analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == "failed"
    assert files_of(alice, media_root) == []


def test_the_item_says_its_media_was_not_kept_and_its_file_urls_answer_404(
    alice, quick_model, django_capture_on_commit_callbacks
):
    media = create_media(alice, upload(encode(astronaut())), keep_media="results_only")
    client = api_client(alice)
    original, thumbnail = media.original_url(), media.thumbnail_url()
    with django_capture_on_commit_callbacks(execute=True):
        analyze_media(media.pk)

    assert client.get(original).status_code == 404
    assert client.get(thumbnail).status_code == 404
    item = client.get(f"/api/media/{media.pk}/").json()
    assert item["summary"]["file"] is None and item["summary"]["thumbnail"] is None
    assert item["summary"]["keep_media"] == "results_only" and item["summary"]["media_deleted_at"]
    assert item["faces"][0]["emotion"] == "happy"
    page = client.get(f"/media/{media.pk}/")
    assert "was not kept" in page.content.decode()


def test_a_photo_whose_worker_died_leaves_no_file_once_the_retry_ends(
    alice, quick_model, settings, monkeypatch, media_root, django_capture_on_commit_callbacks
):
    media = create_media(alice, upload(encode(astronaut())), keep_media="results_only")

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(Media, "mark_done", killed)
        with pytest.raises(WorkerKilled):
            analyze_media(media.pk)
    assert files_of(alice, media_root)  # not ended: the media waits for the retry

    make_stale(media, settings)
    with django_capture_on_commit_callbacks(execute=True):
        analyze_media(media.pk)  # the re-delivered task takes over

    media.refresh_from_db()
    assert (media.status, media.attempts) == ("done", 2)
    assert files_of(alice, media_root) == []


def test_a_job_given_up_by_the_sweeper_after_its_worker_died_leaves_no_file(
    alice, quick_model, settings, media_root, sent_tasks, django_capture_on_commit_callbacks
):
    media = create_media(alice, upload(encode(astronaut())), keep_media="results_only")
    media.mark_processing()
    Media.objects.filter(pk=media.pk).update(attempts=settings.FER_JOB_MAX_ATTEMPTS)
    make_stale(media, settings)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stale_jobs() == {"requeued": 0, "failed": 1}

    assert files_of(alice, media_root) == []


def test_a_clip_retried_after_its_worker_died_under_results_only_leaves_no_file(
    alice, tmp_path, settings, monkeypatch, media_root, django_capture_on_commit_callbacks
):
    clip = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)), keep_media="results_only")

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(Media, "store_clip_summary", killed)
        with pytest.raises(WorkerKilled):
            analyze_media(clip.pk)
    clip.refresh_from_db()
    assert clip.thumbnail and clip.playable  # the first attempt stored both

    make_stale(clip, settings)
    with django_capture_on_commit_callbacks(execute=True):
        analyze_media(clip.pk)

    clip.refresh_from_db()
    assert clip.status == "done" and clip.detections.exists()
    assert files_of(alice, media_root) == []
    assert_no_orphan_files(alice)


def test_results_only_leaves_no_object_in_the_bucket(
    alice, bucket, quick_model, media_root, django_capture_on_commit_callbacks
):
    media = create_media(alice, upload(encode(astronaut())), keep_media="results_only")
    assert bucket.keys(f"users/{alice.pk}/")

    with django_capture_on_commit_callbacks(execute=True):
        analyze_media(media.pk)

    assert bucket.keys(f"users/{alice.pk}/") == []
    assert not any(path.is_file() for path in Path(media_root).rglob("*"))


def test_an_item_kept_always_keeps_its_files(alice, quick_model, media_root, django_capture_on_commit_callbacks):
    media = create_media(alice, upload(encode(astronaut())))

    with django_capture_on_commit_callbacks(execute=True):
        analyze_media(media.pk)

    media.refresh_from_db()
    assert media.keep_media == "always" and media.media_kept
    assert len(files_of(alice, media_root)) == 2
