"""The sweeper re-queues jobs whose worker went silent and fails those out of attempts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.jobs.sweeper import sweep_stale_jobs
from analysis.models import Media
from tests.analysis.helpers import finished_photo
from tests.photos import astronaut, encode, upload


@pytest.fixture
def photo(alice):
    from analysis.media.services import create_media

    return create_media(alice, upload(encode(astronaut())))


@pytest.fixture
def clip(alice):
    """A clip's row as the upload leaves it (its file is never read here)."""
    return Media.objects.create(
        user=alice, kind=Media.Kind.VIDEO, file=f"users/{alice.pk}/clip.mp4", heartbeat_at=timezone.now()
    )


def analysis_of(media, limit):
    return ("analysis.tasks.analyze_media", [str(media.pk)], limit)


def set_state(media, **fields):
    Media.objects.filter(pk=media.pk).update(**fields)
    media.refresh_from_db()


def ago(seconds):
    return timezone.now() - timedelta(seconds=seconds)


@pytest.mark.parametrize(("item", "limit"), [("photo", "FER_TASK_TIME_LIMIT"), ("clip", "FER_VIDEO_TASK_TIME_LIMIT")])
def test_it_requeues_a_processing_job_with_a_stale_heartbeat(
    item, limit, request, settings, sent_tasks, django_capture_on_commit_callbacks
):
    media = request.getfixturevalue(item)
    set_state(media, status="processing", attempts=1, heartbeat_at=ago(settings.FER_JOB_STALE_SECONDS + 5))

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_stale_jobs()

    media.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0}
    assert media.status == "queued"
    assert media.attempts == 1
    # A clip is sent again with its own, longer time limit.
    assert sent_tasks == [analysis_of(media, getattr(settings, limit))]


def test_it_leaves_a_job_with_a_fresh_heartbeat_alone(photo, settings, sent_tasks, django_capture_on_commit_callbacks):
    set_state(photo, status="processing", attempts=1, heartbeat_at=ago(settings.FER_JOB_STALE_SECONDS - 10))

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_stale_jobs()

    photo.refresh_from_db()
    assert counts == {"requeued": 0, "failed": 0}
    assert photo.status == "processing"
    assert sent_tasks == []


def test_it_fails_a_stale_job_that_used_up_its_attempts(photo, settings, sent_tasks):
    set_state(
        photo,
        status="processing",
        attempts=settings.FER_JOB_MAX_ATTEMPTS,
        heartbeat_at=ago(settings.FER_JOB_STALE_SECONDS + 5),
    )

    counts = sweep_stale_jobs()

    photo.refresh_from_db()
    assert counts == {"requeued": 0, "failed": 1}
    assert photo.status == "failed"
    assert photo.error == f"The analysis did not finish after {settings.FER_JOB_MAX_ATTEMPTS} attempts."
    assert sent_tasks == []


def test_it_sends_a_forgotten_queued_job_again(photo, settings, sent_tasks, django_capture_on_commit_callbacks):
    set_state(photo, heartbeat_at=ago(settings.FER_JOB_QUEUED_SECONDS + 5))

    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep_stale_jobs()

    photo.refresh_from_db()
    assert counts == {"requeued": 1, "failed": 0}
    assert photo.status == "queued"
    assert photo.heartbeat_at > ago(5)
    assert sent_tasks == [analysis_of(photo, settings.FER_TASK_TIME_LIMIT)]


def test_it_does_not_resend_a_recently_queued_job(photo, sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stale_jobs() == {"requeued": 0, "failed": 0}
    assert sent_tasks == []


def test_it_never_touches_finished_jobs(alice, settings):
    done = finished_photo(alice)
    set_state(done, heartbeat_at=ago(10 * settings.FER_JOB_QUEUED_SECONDS))

    assert sweep_stale_jobs() == {"requeued": 0, "failed": 0}
    done.refresh_from_db()
    assert done.status == "done"


def test_a_requeued_job_can_be_claimed_again_but_a_live_one_cannot(photo, settings):
    assert photo.mark_processing()
    assert photo.attempts == 1
    # Another delivery of the same task while the first worker is alive: no claim.
    assert not Media.objects.get(pk=photo.pk).mark_processing()

    set_state(photo, heartbeat_at=ago(settings.FER_JOB_STALE_SECONDS + 5))
    # Once the first worker's heartbeat is stale, a re-delivered task may take the job over.
    assert photo.mark_processing()
    assert photo.attempts == 2


def test_a_job_out_of_attempts_cannot_be_claimed(photo, settings):
    set_state(photo, attempts=settings.FER_JOB_MAX_ATTEMPTS)

    assert not photo.mark_processing()
