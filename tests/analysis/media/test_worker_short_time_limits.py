"""A real worker under 10 s time limits (the shortest allowed) finishes a photo and a clip in one attempt."""

import pytest

from analysis.media.services import create_media
from tests.celery_worker import wait_until_final
from tests.photos import astronaut, encode, upload
from tests.videos import clip_file, clip_upload

pytestmark = pytest.mark.worker

LIMITS = {"FER_TASK_TIME_LIMIT": "10", "FER_VIDEO_TASK_TIME_LIMIT": "10"}


def test_a_photo_and_a_clip_finish_under_ten_second_limits(alice, tmp_path, settings, start_celery_worker):
    # Both processes read the limits: the worker its defaults, this (web) process those it sends.
    for name, value in LIMITS.items():
        setattr(settings, name, int(value))
    worker = start_celery_worker(env=LIMITS)

    photo = create_media(alice, upload(encode(astronaut())))
    # Some seconds of work: the pool checks its time limits about once a second, so a task shorter than
    # that finished even under the soft limit of -20 s that a 10 s limit used to give.
    clip = create_media(alice, clip_upload(clip_file(tmp_path, seconds=4)))

    for media in (photo, clip):
        wait_until_final(media, worker=worker)
        assert (media.status, media.attempts, media.error) == ("done", 1, ""), media.timings
