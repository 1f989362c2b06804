"""Tasks are sent by name once the transaction that made their row commits, and never if it rolls back."""

import pytest
from django.db import transaction

from analysis.jobs import dispatch
from analysis.models import Media


@pytest.fixture
def clip(alice):
    return Media.objects.create(user=alice, kind=Media.Kind.VIDEO, file=f"users/{alice.pk}/clip.mp4")


def test_a_job_is_sent_only_when_its_transaction_commits(
    clip, settings, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dispatch.analyze_media(clip)
        dispatch.annotate_clip(clip.pk)
    assert sent_tasks == []

    for callback in callbacks:
        callback()

    limit = settings.FER_VIDEO_TASK_TIME_LIMIT
    assert sent_tasks == [
        ("analysis.tasks.analyze_media", [str(clip.pk)], limit),
        ("analysis.tasks.annotate_clip", [str(clip.pk)], limit),
    ]


def test_a_job_is_never_sent_when_its_transaction_rolls_back(clip, sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        dispatch.analyze_media(clip)
        transaction.set_rollback(True)

    assert sent_tasks == []


def test_the_soft_limit_comes_before_the_hard_one(clip, monkeypatch, django_capture_on_commit_callbacks):
    options = []
    monkeypatch.setattr(dispatch.app, "send_task", lambda name, args=None, **kwargs: options.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True):
        dispatch.analyze_media(clip)

    assert 0 < options[0]["soft_time_limit"] < options[0]["time_limit"]


def test_a_live_frame_is_sent_at_once_with_its_deadline_and_without_its_bytes_in_the_logs(monkeypatch):
    sent = []
    monkeypatch.setattr(dispatch.app, "send_task", lambda name, args=None, **kwargs: sent.append((name, kwargs)))

    dispatch.analyze_live_frame(b"\xff\xd8 a jpeg", 0.8)

    [(name, options)] = sent
    assert name == "analysis.tasks.analyze_live_frame"
    assert options["expires"] == 0.8
    assert options["argsrepr"] == dispatch.FRAME_ARGSREPR
