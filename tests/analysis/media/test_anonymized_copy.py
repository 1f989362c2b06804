"""POST /api/media/<id>/anonymized/ queues a blurred copy (202); GET answers {"status", "url"}; the item's
JSON has "anonymized"; the copy is owner-only, deleted with its item, and swept like every job."""

import io
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image

from analysis.jobs import dispatch
from analysis.jobs.sweeper import sweep_stale_jobs
from analysis.media.anonymizing import make_anonymized
from analysis.media.retention import discard_media
from analysis.media.services import create_media
from analysis.models import AnonymizedCopy, Media
from ml.detect import detect_faces
from ml.pipeline import to_grey
from tests.analysis.clips import analysed_clip, api_client
from tests.analysis.helpers import assert_deleting_leaves_no_file, assert_no_orphan_files, finished_photo
from tests.photos import astronaut, encode, upload


@pytest.fixture
def photo(alice):
    """The astronaut, analysed, its one face stored where the detector finds it."""
    media = finished_photo(alice)
    (box,) = detect_faces(to_grey(astronaut()))[:1]
    media.detections.update(box=list(box))
    return media


def url(media) -> str:
    return f"/api/media/{media.pk}/anonymized/"


def read_image(content: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(content)).convert("RGB"))


def test_asking_answers_202_and_queues_one_task(alice, photo, sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(alice).post(url(photo))

    assert response.status_code == 202
    assert response.json() == {"status": "queued", "url": None}
    assert [name for name, *_ in sent_tasks] == [dispatch.ANONYMIZE_MEDIA]
    assert api_client(alice).get(url(photo)).json() == {"status": "queued", "url": None}


def test_get_answers_an_empty_status_before_it_is_asked_for(alice, photo):
    assert api_client(alice).get(url(photo)).json() == {"status": "", "url": None}


def test_the_made_photo_has_its_face_blurred_and_is_served_to_its_owner(alice, photo, sent_tasks):
    client = api_client(alice)
    client.post(url(photo))

    make_anonymized(photo.pk)

    state = client.get(url(photo)).json()
    assert state == {"status": "done", "url": f"http://testserver/files/{photo.pk}/anonymized/"}
    answer = client.get(state["url"])
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    blurred = read_image(b"".join(answer.streaming_content))
    assert detect_faces(to_grey(blurred)) == []
    item = client.get(f"/api/media/{photo.pk}/").json()
    assert item["anonymized"]["status"] == "done"
    assert item["anonymized"]["url"] == state["url"]
    assert item["anonymized"]["request"] == "http://testserver" + url(photo)
    assert_no_orphan_files(alice)


def test_only_faces_below_the_confidence_are_blurred_when_asked(alice, photo, sent_tasks):
    api_client(alice).post(url(photo), {"below_confidence": 0.5}, format="json")

    make_anonymized(photo.pk)  # the face's confidence is 0.7: kept as it is

    copy = AnonymizedCopy.objects.get(pk=photo.pk)
    with copy.file.open("rb") as handle:
        kept = read_image(handle.read())
    assert detect_faces(to_grey(kept))  # the face is still there


def test_another_user_cannot_see_ask_for_or_fetch_it(alice, bob, photo, sent_tasks):
    api_client(alice).post(url(photo))
    make_anonymized(photo.pk)

    other = api_client(bob)
    assert other.get(url(photo)).status_code == 404
    assert other.post(url(photo)).status_code == 404
    assert other.get(f"/files/{photo.pk}/anonymized/").status_code == 404


def test_an_unanalysed_item_has_no_blurred_copy_yet(alice, sent_tasks):
    media = create_media(alice, upload(encode(astronaut())))

    response = api_client(alice).post(url(media))

    assert response.status_code == 409
    assert not AnonymizedCopy.objects.exists()


def test_it_is_deleted_with_its_item(alice, photo, sent_tasks, django_capture_on_commit_callbacks):
    api_client(alice).post(url(photo))
    make_anonymized(photo.pk)
    assert AnonymizedCopy.objects.get(pk=photo.pk).file

    assert_deleting_leaves_no_file(photo, django_capture_on_commit_callbacks)
    assert not AnonymizedCopy.objects.exists()


def test_it_is_deleted_when_retention_deletes_the_media(alice, photo, sent_tasks, django_capture_on_commit_callbacks):
    api_client(alice).post(url(photo))
    make_anonymized(photo.pk)

    with django_capture_on_commit_callbacks(execute=True):
        discard_media(photo.pk)

    assert not AnonymizedCopy.objects.exists()
    assert_no_orphan_files(alice)
    assert api_client(alice).post(url(photo)).status_code == 409


def test_the_sweeper_sends_a_stale_copy_again(alice, photo, settings, sent_tasks, django_capture_on_commit_callbacks):
    api_client(alice).post(url(photo))
    copy = AnonymizedCopy.objects.get(pk=photo.pk)
    copy.mark_processing()
    stale = timezone.now() - timedelta(seconds=settings.FER_JOB_STALE_SECONDS + 5)
    AnonymizedCopy.objects.filter(pk=photo.pk).update(heartbeat_at=stale)
    sent_tasks.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stale_jobs()["requeued"] == 1

    assert [name for name, *_ in sent_tasks] == [dispatch.ANONYMIZE_MEDIA]


def test_the_detail_page_has_the_button_and_then_the_link(alice, photo, client, sent_tasks):
    client.force_login(alice)
    assert "Make a blurred copy" in client.get(f"/media/{photo.pk}/").content.decode()

    response = client.post(f"/media/{photo.pk}/anonymize/", {"show_emotion": "true"})
    assert response.status_code == 302
    assert AnonymizedCopy.objects.get(pk=photo.pk).show_emotion is True
    make_anonymized(photo.pk)

    assert f"/files/{photo.pk}/anonymized/" in client.get(f"/media/{photo.pk}/").content.decode()


def test_a_clip_gets_a_blurred_mp4_with_every_frame(alice, tmp_path, sent_tasks):
    from ml.video_io import probe

    clip = analysed_clip(alice, tmp_path)
    client = api_client(alice)
    assert client.get(f"/api/media/{clip.pk}/").json()["anonymized"]["status"] == ""
    assert client.post(url(clip)).status_code == 202

    make_anonymized(clip.pk)

    copy = AnonymizedCopy.objects.get(pk=clip.pk)
    assert copy.status == "done", copy.error
    assert copy.file.name.endswith(f"anonymized/{clip.pk.hex}.mp4")
    with copy.file.open("rb") as handle, open(tmp_path / "blurred.mp4", "wb") as out:
        out.write(handle.read())
    assert probe(tmp_path / "blurred.mp4").frame_count == clip.frame_count
    assert client.get(url(clip)).json()["status"] == "done"
    assert_no_orphan_files(alice)
    assert Media.objects.get(pk=clip.pk).anonymized_file
