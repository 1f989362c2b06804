"""In headless Chromium: detail.js draws each face box over the photo, scaled to the displayed size.

The faces are written straight to the database (no worker), so this checks the drawing alone, at a
phone width where the photo is shown smaller than it is, and again after the window is resized.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

import ml
from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.helpers import add_photo_faces


def _probabilities(top):
    return {name: (0.7 if name == top else 0.05) for name in ml.EMOTIONS}


@pytest.fixture
def photo_with_two_faces(live_server):
    # live_server implies a transactional database: what is created here is visible to the server.
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 600), (90, 110, 130)).save(buffer, "PNG")
    user = get_user_model().objects.get(username="viewer")
    media = create_media(user, SimpleUploadedFile("two.png", buffer.getvalue()))
    add_photo_faces(
        media, ((100, 150, 200, 240), _probabilities("sad")), ((650, 20, 160, 180), _probabilities("happy"))
    )
    Media.objects.filter(pk=media.pk).update(status=Media.Status.DONE, face_count=2, dominant_emotion="happy")
    return media


def _assert_boxes_match(page, media):
    image = page.locator("#stage img").bounding_box()
    scale = image["width"] / media.width
    faces = sorted(media.photo_faces, key=lambda face: face.box[0])
    boxes = page.locator("#stage .facebox")
    assert boxes.count() == len(faces)
    for i, face in enumerate(faces):
        drawn = boxes.nth(i).bounding_box()
        assert drawn["x"] - image["x"] == pytest.approx(face.box[0] * scale, abs=2)
        assert drawn["y"] - image["y"] == pytest.approx(face.box[1] * scale, abs=2)
        assert drawn["width"] == pytest.approx(face.box[2] * scale, abs=2)
        assert drawn["height"] == pytest.approx(face.box[3] * scale, abs=2)
        assert boxes.nth(i).locator(".facebox__label").inner_text() == f"{i + 1} · {face.emotion} 70%"
    return scale


def test_face_boxes_are_scaled_from_original_pixels_to_the_displayed_photo(new_page, sign_up, live_server, request):
    page = new_page(width=390, height=844)
    sign_up(page, "viewer")
    media = request.getfixturevalue("photo_with_two_faces")

    page.goto(f"{live_server.url}/media/{media.pk}/")
    page.wait_for_selector("#stage[data-drawn='2']")

    phone_scale = _assert_boxes_match(page, media)
    assert phone_scale < 0.5  # really scaled down on a phone
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(200)
    assert _assert_boxes_match(page, media) > phone_scale
    # The face at the top edge keeps its label inside the picture.
    assert "facebox--top" in (page.locator("#stage .facebox").nth(1).get_attribute("class") or "")
    assert page.errors == []
