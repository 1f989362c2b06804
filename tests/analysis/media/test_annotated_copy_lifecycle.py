"""An annotated copy has the analysis's lifecycle: asked once, claimed once, swept when its worker dies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.jobs.sweeper import sweep_stale_jobs
from analysis.media.services import request_annotated
from analysis.models import AnnotatedCopy, Media


@pytest.fixture
def clip(alice):
    """An analysed clip's row (its file is never read here)."""
    return Media.objects.create(
        user=alice, kind=Media.Kind.VIDEO, status=Media.Status.DONE, file=f"users/{alice.pk}/clip.mp4"
    )


def stale(settings):
    return timezone.now() - timedelta(seconds=settings.FER_JOB_STALE_SECONDS + 5)


def test_asking_queues_one_copy_and_sends_its_task_once(clip, settings, sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert request_annotated(clip)
        assert not request_annotated(clip)

    assert clip.annotated_status == "queued"
    assert sent_tasks == [("analysis.tasks.annotate_clip", [str(clip.pk)], settings.FER_VIDEO_TASK_TIME_LIMIT)]


def test_a_copy_is_not_asked_for_again_while_it_is_being_made(clip):
    assert request_annotated(clip)
    AnnotatedCopy.objects.get(pk=clip.pk).mark_processing()

    assert not request_annotated(clip)
    assert clip.annotated_status == "processing"


def test_a_failed_copy_can_be_asked_for_again_with_fresh_attempts(clip):
    request_annotated(clip)
    copy = AnnotatedCopy.objects.get(pk=clip.pk)
    copy.mark_processing()
    copy.mark_failed("The stored clip is missing.")

    assert request_annotated(clip)
    copy.refresh_from_db()
    assert (copy.status, copy.attempts, copy.error) == ("queued", 0, "")


def test_a_second_delivery_cannot_claim_a_copy_a_live_worker_holds(clip, settings):
    request_annotated(clip)
    assert AnnotatedCopy.objects.get(pk=clip.pk).mark_processing()

    assert not AnnotatedCopy.objects.get(pk=clip.pk).mark_processing()
    AnnotatedCopy.objects.filter(pk=clip.pk).update(heartbeat_at=stale(settings))
    # Once the first worker's heartbeat is stale, the re-delivered task takes the copy over.
    taken_over = AnnotatedCopy.objects.get(pk=clip.pk)
    assert taken_over.mark_processing()
    assert taken_over.attempts == 2


def test_the_sweeper_sends_a_copy_whose_worker_went_silent_again(
    clip, settings, sent_tasks, django_capture_on_commit_callbacks
):
    request_annotated(clip)
    AnnotatedCopy.objects.get(pk=clip.pk).mark_processing()
    AnnotatedCopy.objects.filter(pk=clip.pk).update(heartbeat_at=stale(settings))

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_stale_jobs()

    assert counts == {"requeued": 1, "failed": 0}
    assert AnnotatedCopy.objects.get(pk=clip.pk).status == "queued"
    assert sent_tasks == [("analysis.tasks.annotate_clip", [str(clip.pk)], settings.FER_VIDEO_TASK_TIME_LIMIT)]


def test_the_sweeper_fails_a_copy_out_of_attempts_with_a_reason(clip, settings, sent_tasks):
    request_annotated(clip)
    AnnotatedCopy.objects.filter(pk=clip.pk).update(
        status="processing", attempts=settings.FER_JOB_MAX_ATTEMPTS, heartbeat_at=stale(settings)
    )

    assert sweep_stale_jobs() == {"requeued": 0, "failed": 1}

    copy = AnnotatedCopy.objects.get(pk=clip.pk)
    assert copy.status == "failed"
    assert copy.error == f"The annotated copy did not finish after {settings.FER_JOB_MAX_ATTEMPTS} attempts."
    assert sent_tasks == []
    assert not copy.mark_processing()


def test_deleting_the_clip_deletes_its_copy_and_the_copys_file(clip, media_root, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    request_annotated(clip)
    copy = AnnotatedCopy.objects.select_related("media").get(pk=clip.pk)
    copy.mark_processing()
    assert copy.mark_done("annotated.mp4", ContentFile(b"not really an mp4"))
    stored = media_root / copy.file.name
    assert stored.exists() and clip.annotated_url() == f"/files/{clip.pk}/annotated/"

    with django_capture_on_commit_callbacks(execute=True):
        clip.delete()

    assert not AnnotatedCopy.objects.exists()
    assert not stored.exists()


def test_a_copy_whose_clip_file_is_gone_ends_failed_with_a_reason(clip):
    from analysis.media.annotating import make_annotated

    request_annotated(clip)  # the fixture's clip has no stored file

    make_annotated(clip.pk)

    copy = AnnotatedCopy.objects.get(pk=clip.pk)
    assert (copy.status, copy.error, copy.attempts) == ("failed", "The stored clip is missing.", 1)
    clip.refresh_from_db()
    assert clip.annotated_status == "failed" and clip.annotated_url() == ""
