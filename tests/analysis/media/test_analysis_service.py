"""analyze_media runs the shipped model on a stored photo and stores faces and a summary."""

import numpy as np
import pytest

import ml
from analysis.media.analyses import analyze_media
from analysis.media.services import create_media
from analysis.models import Detection, Media
from tests.photos import astronaut, encode, group_photo, upload


def analysed(user, pixels, name="photo.png", **save_params):
    media = create_media(user, upload(encode(pixels, "PNG", **save_params), name))
    analyze_media(media.pk)
    media.refresh_from_db()
    return media


def test_it_finds_the_astronauts_face(alice):
    media = analysed(alice, astronaut())

    assert media.status == Media.Status.DONE
    assert media.face_count == 1
    face = media.detections.get()
    x, y, w, h = face.box
    assert (face.frame, face.timestamp_ms, face.track) == (0, 0, 1)  # a photo is frame 0 at time 0
    assert 120 < x + w / 2 < 300 and 40 < y + h / 2 < 200, face.box
    assert set(face.probabilities) == set(ml.EMOTIONS)
    assert sum(face.probabilities.values()) == pytest.approx(1.0)
    assert face.emotion == max(face.probabilities, key=face.probabilities.get)
    assert media.dominant_emotion == face.emotion
    assert media.model_version == ml.MODEL_VERSION
    assert {"queue_ms", "decode_ms", "detect_ms", "classify_ms", "total_ms"} <= set(media.timings)
    assert media.started_at <= media.finished_at
    assert media.progress == 1.0


def test_a_photo_with_several_faces_gives_several_face_rows(alice):
    media = analysed(alice, group_photo(3))

    assert media.face_count == 3
    boxes = sorted(face.box for face in media.detections.all())
    assert len(boxes) == 3
    # One face per pasted head, left to right, in the stored image's pixels.
    for i, (x, _y, w, _h) in enumerate(boxes):
        assert 40 + i * 220 <= x + w / 2 <= 40 + i * 220 + 180


def test_a_photo_without_a_face_is_done_with_no_faces(alice):
    media = analysed(alice, np.full((200, 300, 3), 90, np.uint8))

    assert media.status == Media.Status.DONE
    assert media.face_count == 0
    assert media.dominant_emotion == ""
    assert not Detection.objects.exists()


def test_a_rotated_phone_photo_is_analysed_upright(alice):
    from PIL import Image

    sideways = np.rot90(astronaut(), 1)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display

    with_orientation = analysed(alice, sideways, "phone.png", exif=exif.tobytes())
    without_orientation = analysed(alice, sideways, "phone.png")

    assert with_orientation.face_count == 1
    # The frontal-face detector does not see a face lying on its side: the orientation made the difference.
    assert without_orientation.face_count == 0


def test_a_redelivered_task_is_harmless(alice):
    media = analysed(alice, astronaut())
    finished = media.finished_at

    analyze_media(media.pk)  # the broker delivers the same message again

    media.refresh_from_db()
    assert media.attempts == 1
    assert media.finished_at == finished
    assert media.detections.count() == 1


def test_a_task_for_a_deleted_item_returns_quietly(alice):
    media = create_media(alice, upload(encode(astronaut())))
    media.delete()

    analyze_media(media.pk)

    assert not Media.objects.exists()


def test_an_unexpected_error_fails_the_item_with_a_readable_message(alice, monkeypatch):
    import ml.pipeline

    def explode(image, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ml.pipeline, "analyze_image", explode)
    media = create_media(alice, upload(encode(astronaut())))

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.FAILED
    assert media.error == "The analysis failed unexpectedly; please try uploading the photo again."
    assert "boom" not in media.error


def test_a_task_past_its_time_limit_fails_with_a_readable_message(alice, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    import ml.pipeline

    def too_slow(image, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(ml.pipeline, "analyze_image", too_slow)
    media = create_media(alice, upload(encode(astronaut())))

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.FAILED
    assert media.error == "The analysis took too long and was stopped."
