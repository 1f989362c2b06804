"""A clip analysed again after its worker died keeps one poster and one player copy, the ones its row names."""

import pytest
from django.utils import timezone

from analysis.media import analyses
from analysis.media.analyses import analyze_media
from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.helpers import assert_deleting_leaves_no_file, assert_no_orphan_files
from tests.videos import clip_file, clip_upload


class WorkerKilled(BaseException):
    """What a killed worker looks like to the code after it: nothing more runs (nothing catches it)."""


@pytest.fixture
def clip(alice, tmp_path):
    return create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)))


def die_before_the_summary(monkeypatch):
    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(Media, "store_clip_summary", killed)


def take_over(clip, settings):
    """What the sweeper and a re-delivered task do once the dead worker's heartbeat is stale."""
    stale = timezone.now() - timezone.timedelta(seconds=settings.FER_JOB_STALE_SECONDS + 5)
    Media.objects.filter(pk=clip.pk).update(heartbeat_at=stale)
    analyze_media(clip.pk)


def test_a_clip_retried_after_its_worker_died_leaves_exactly_the_files_its_row_names(
    alice, clip, settings, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as patch:
        die_before_the_summary(patch)
        with pytest.raises(WorkerKilled):
            analyze_media(clip.pk)
    clip.refresh_from_db()
    assert clip.thumbnail and clip.playable  # the first attempt stored both

    take_over(clip, settings)

    clip.refresh_from_db()
    assert (clip.status, clip.attempts) == ("done", 2)
    assert clip.thumbnail.name.endswith(f"thumbs/{clip.pk.hex}.jpg")
    assert clip.playable.name.endswith(f"clips/{clip.pk.hex}.mp4")
    assert_no_orphan_files(alice)
    assert_deleting_leaves_no_file(clip, django_capture_on_commit_callbacks)


def test_a_poster_left_by_an_attempt_that_died_before_naming_it_is_replaced(
    alice, clip, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # The attempt wrote the poster, then died before its row named it.
    def store_and_die(media, path):
        media.thumbnail.save("thumb.jpg", analyses.ContentFile(b"an earlier poster"), save=False)
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(analyses, "_store_poster", store_and_die)
        with pytest.raises(WorkerKilled):
            analyze_media(clip.pk)

    take_over(clip, settings)

    clip.refresh_from_db()
    assert clip.status == "done"
    assert_no_orphan_files(alice)
    assert_deleting_leaves_no_file(clip, django_capture_on_commit_callbacks)


def test_deleting_the_account_after_a_retry_leaves_no_file(
    alice, clip, settings, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    from analysis.media.services import delete_user_data

    with monkeypatch.context() as patch:
        die_before_the_summary(patch)
        with pytest.raises(WorkerKilled):
            analyze_media(clip.pk)
    take_over(clip, settings)

    with django_capture_on_commit_callbacks(execute=True):
        delete_user_data(alice)

    assert not Media.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]
