"""An item deleted while its analysis or its annotated copy runs leaves no row and no file behind."""

import pytest

from analysis.media.services import create_media, request_annotated
from analysis.models import AnnotatedCopy, Media
from tests.analysis.clips import api_client
from tests.analysis.helpers import assert_no_orphan_files
from tests.celery_worker import wait_until_final
from tests.faults.checks import assert_worker_takes_new_work
from tests.photos import astronaut, encode, upload
from tests.videos import clip_file, clip_upload

pytestmark = [pytest.mark.faults, pytest.mark.worker]


def delete_through_the_api(media):
    response = api_client(media.user).delete(f"/api/media/{media.pk}/")
    assert response.status_code == 204, response.content[:500]
    assert not Media.objects.filter(pk=media.pk).exists()


def assert_gone_without_a_trace(user, worker):
    # One pool process: the photo analysed now starts only once the deleted item's job has ended.
    assert_worker_takes_new_work(worker, user)
    # Nothing is wrong, so nothing is logged as an error (a foreign-key traceback once was).
    assert "ERROR/" not in worker.output(), worker.output()[-5000:]
    assert list(Media.objects.filter(user=user).values_list("status", flat=True)) == ["done"]
    assert not AnnotatedCopy.objects.exists()
    assert_no_orphan_files(user)


def test_a_photo_deleted_during_its_analysis_leaves_nothing(alice, start_worker):
    worker, hang = start_worker("analysis")
    photo = create_media(alice, upload(encode(astronaut())))
    hang.wait_for_run(1, worker)

    delete_through_the_api(photo)
    hang.release()

    assert_gone_without_a_trace(alice, worker)


# The playable copy is saved after the frame loop ends, also when it ended because the row is gone: the
# worker deletes what it wrote then, and the delete removes it by its one name (a race either way round).
def test_a_clip_deleted_mid_clip_leaves_nothing(alice, start_worker, tmp_path):
    worker, hang = start_worker("clip")
    clip = create_media(alice, clip_upload(clip_file(tmp_path, seconds=3)))
    hang.wait_for_run(1, worker)

    delete_through_the_api(clip)
    hang.release()

    assert_gone_without_a_trace(alice, worker)


def test_a_clip_deleted_during_its_annotated_copy_leaves_no_copy(alice, start_worker, tmp_path):
    worker, hang = start_worker("annotated")
    clip = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)))
    wait_until_final(clip, timeout=120, worker=worker)
    assert clip.status == "done", clip.error
    assert request_annotated(clip)
    hang.wait_for_run(1, worker)

    delete_through_the_api(clip)
    hang.release()

    assert_gone_without_a_trace(alice, worker)
