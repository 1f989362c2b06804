"""What every fault scenario asserts afterwards: no job lost, at most FER_JOB_MAX_ATTEMPTS runs, exactly
one result set, no orphan file, and a worker that still takes new work."""

from django.conf import settings
from django.db.models import Count

from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.helpers import assert_no_orphan_files
from tests.celery_worker import wait_until_final
from tests.photos import astronaut, encode, upload


def assert_one_result_set(media: Media) -> None:
    """A photo's faces, or a clip's rows, stored once: a retry replaced what an earlier attempt left."""
    media.refresh_from_db()
    if media.kind == Media.Kind.PHOTO:
        assert media.detections.count() == media.face_count == 1, (media.face_count, media.detections.count())
        return
    rows = media.detections.order_by().values("frame", "track").annotate(copies=Count("id"))
    assert rows, "the clip has no rows"
    assert max(row["copies"] for row in rows) == 1, "a frame's rows were stored twice"
    assert media.people == len(media.tracks) >= 1, (media.people, media.tracks)


def assert_recovered(jobs, worker, *, timeout: float = 180) -> None:
    """Every job ends done, within FER_JOB_MAX_ATTEMPTS claims, with one result set and no orphan file."""
    for job in jobs:
        wait_until_final(job, timeout=timeout, worker=worker)
        assert job.status == "done", f"{job.pk}: {job.status} {job.error!r}\n{worker.output()[-3000:]}"
        assert 1 <= job.attempts <= settings.FER_JOB_MAX_ATTEMPTS, job.attempts
        if isinstance(job, Media):
            assert_one_result_set(job)
    for user in {job.user if isinstance(job, Media) else job.media.user for job in jobs}:
        assert_no_orphan_files(user)


def assert_worker_takes_new_work(worker, user, *, timeout: float = 120) -> None:
    """The worker process is still running and analyses a photo uploaded now, first time."""
    assert worker.alive(), f"the worker exited:\n{worker.output()[-5000:]}"
    photo = create_media(user, upload(encode(astronaut())))
    wait_until_final(photo, timeout=timeout, worker=worker)
    assert (photo.status, photo.attempts) == ("done", 1), (photo.error, worker.output()[-3000:])
    assert_one_result_set(photo)
    assert worker.alive()
