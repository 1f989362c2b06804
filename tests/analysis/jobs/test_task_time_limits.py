"""Any hard time limit of 10 s or more works: the soft limit and the decoder's budget come before it."""

import ast

import pytest
from django.utils import timezone

from analysis.jobs import dispatch, limits
from analysis.jobs.sweeper import sweep_stale_jobs
from analysis.models import Media
from tests.analysis.test_settings_from_environment import manage

HARD_LIMITS = (10, 11, 15, 20, 29, 30, 31, 45, 60, 150, 300, 3000)


@pytest.mark.parametrize("hard", HARD_LIMITS)
def test_the_soft_limit_is_positive_and_before_the_hard_one(hard):
    assert 0 < limits.soft_limit_s(hard) < hard


@pytest.mark.parametrize("hard", HARD_LIMITS)
def test_the_decoders_budget_ends_before_the_clips_soft_limit(hard):
    assert 0 < limits.decode_budget_s(40 * 60, hard) < limits.soft_limit_s(hard)


def test_a_decoders_budget_already_below_the_limit_is_kept():
    assert limits.decode_budget_s(40 * 60, 50 * 60) == 40 * 60


@pytest.fixture
def clip(alice):
    return Media.objects.create(user=alice, kind=Media.Kind.VIDEO, file=f"users/{alice.pk}/clip.mp4")


@pytest.mark.parametrize("hard", [10, 20, 30])
def test_short_limits_are_sent_with_a_positive_soft_limit_below_them(
    hard, alice, clip, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.FER_TASK_TIME_LIMIT = settings.FER_VIDEO_TASK_TIME_LIMIT = hard
    photo = Media.objects.create(user=alice, file=f"users/{alice.pk}/photo.jpg")
    sent = []
    monkeypatch.setattr(dispatch.app, "send_task", lambda name, args=None, **options: sent.append(options))

    with django_capture_on_commit_callbacks(execute=True):
        dispatch.analyze_media(photo)
        dispatch.analyze_media(clip)
        dispatch.annotate_clip(clip.pk)

    assert [options["time_limit"] for options in sent] == [hard] * 3
    assert all(0 < options["soft_time_limit"] < hard for options in sent)


def test_the_worker_clamps_the_decoders_budget_below_the_clips_limit(settings):
    settings.FER_VIDEO_TASK_TIME_LIMIT = 20
    settings.FER_VIDEO_MAX_DECODE_SECONDS = 40 * 60

    assert 0 < dispatch.decode_budget_s() < limits.soft_limit_s(20)


def test_a_queued_job_that_is_never_claimed_is_failed_after_its_attempts(
    alice, settings, sent_tasks, django_capture_on_commit_callbacks
):
    # As when every task died before its claim (a soft limit of zero did that): the sweeper's re-sends
    # count, so the job ends failed instead of being re-queued for ever with 0 attempts.
    photo = Media.objects.create(user=alice, file=f"users/{alice.pk}/photo.jpg")
    forgotten = timezone.now() - timezone.timedelta(seconds=settings.FER_JOB_QUEUED_SECONDS + 5)

    for _ in range(10 * settings.FER_JOB_MAX_ATTEMPTS):
        Media.objects.filter(pk=photo.pk).update(heartbeat_at=forgotten)
        with django_capture_on_commit_callbacks(execute=True):
            sweep_stale_jobs()
        photo.refresh_from_db()
        if photo.is_final:
            break

    assert photo.status == "failed"
    assert len(sent_tasks) < settings.FER_JOB_MAX_ATTEMPTS
    assert photo.attempts < settings.FER_JOB_MAX_ATTEMPTS


def test_a_job_sent_again_by_the_sweeper_can_still_be_claimed_and_finished(
    alice, settings, sent_tasks, django_capture_on_commit_callbacks
):
    photo = Media.objects.create(user=alice, file=f"users/{alice.pk}/photo.jpg")
    forgotten = timezone.now() - timezone.timedelta(seconds=settings.FER_JOB_QUEUED_SECONDS + 5)

    Media.objects.filter(pk=photo.pk).update(heartbeat_at=forgotten)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_stale_jobs()
    photo.refresh_from_db()

    assert photo.status == "queued" and len(sent_tasks) == 1
    assert photo.mark_processing()


def settings_of(*names, **env):
    """The values of settings ``names`` as a process started with ``env`` sees them, and its result."""
    code = f"from django.conf import settings; print([getattr(settings, name) for name in {names!r}])"
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_a_ten_second_limit_starts_with_a_positive_soft_limit_below_it():
    soft, hard = settings_of(
        "CELERY_TASK_SOFT_TIME_LIMIT",
        "CELERY_TASK_TIME_LIMIT",
        DJANGO_DEBUG="True",
        FER_TASK_TIME_LIMIT="10",
        FER_VIDEO_TASK_TIME_LIMIT="10",
    )

    assert hard == 10 and 0 < soft < hard


@pytest.mark.parametrize("variable", ["FER_TASK_TIME_LIMIT", "FER_VIDEO_TASK_TIME_LIMIT"])
def test_a_limit_under_ten_seconds_is_refused_at_start_up_naming_the_variable(variable):
    result = manage("check", DJANGO_DEBUG="True", **{variable: "9"})

    assert result.returncode != 0
    assert variable in result.stderr and "10" in result.stderr
