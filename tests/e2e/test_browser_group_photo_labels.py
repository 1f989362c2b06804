"""In headless Chromium: a group photo's labels overlap no other label and stay inside the picture at
desktop and phone widths, and a face and its probability card highlight each other."""

import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.helpers import add_photo_faces, probabilities

# Close together, one at the top edge, one at the right edge: where labels used to collide or leave.
BOXES = [(40, 0, 90, 90), (135, 10, 90, 90), (230, 5, 90, 90), (880, 200, 110, 110), (400, 300, 60, 60)]


@pytest.fixture
def group_photo(live_server):
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 600), (120, 130, 140)).save(buffer, "PNG")
    user = get_user_model().objects.get(username="grouper")
    media = create_media(user, SimpleUploadedFile("group.png", buffer.getvalue()))
    emotions = ["happy", "surprise", "neutral", "disgust", "fear"]
    add_photo_faces(media, *((box, probabilities(e, 0.9)) for box, e in zip(BOXES, emotions)))
    Media.objects.filter(pk=media.pk).update(status=Media.Status.DONE, face_count=len(BOXES), dominant_emotion="happy")
    return media


def _overlaps(a, b):
    return min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"]) > 0.5 and (
        min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"]) > 0.5
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_labels_never_overlap_or_leave_the_picture(live_server, new_page, sign_up, request, width):
    page = new_page(width, 900)
    sign_up(page, "grouper")
    media = request.getfixturevalue("group_photo")
    page.goto(f"{live_server.url}/media/{media.pk}/")
    page.wait_for_selector("#stage .facebox__label[data-placed]")

    for size in (width, width - 57):  # and again after the window narrows
        page.set_viewport_size({"width": size, "height": 900})
        page.wait_for_timeout(300)
        stage = page.locator("#stage img").bounding_box()
        labels = [page.locator(f'#stage .facebox[data-face="{n}"] .facebox__label').bounding_box() for n in range(1, 6)]
        for i, label in enumerate(labels):
            assert (
                label["x"] >= stage["x"] - 0.5 and label["x"] + label["width"] <= stage["x"] + stage["width"] + 0.5
            ), (i, label, stage)
            assert (
                label["y"] >= stage["y"] - 0.5 and label["y"] + label["height"] <= stage["y"] + stage["height"] + 0.5
            ), (i, label, stage)
            for j in range(i):
                assert not _overlaps(label, labels[j]), (size, i + 1, j + 1, label, labels[j])
        if os.environ.get("FER_SCREENSHOTS"):  # to look at by eye: FER_SCREENSHOTS=folder
            page.screenshot(path=f"{os.environ['FER_SCREENSHOTS']}/group-photo-{size}.png", full_page=True)
    assert page.errors == []


def test_a_face_and_its_card_highlight_each_other(live_server, new_page, sign_up, request):
    page = new_page(1280, 900)
    sign_up(page, "grouper")
    media = request.getfixturevalue("group_photo")
    page.goto(f"{live_server.url}/media/{media.pk}/")
    page.wait_for_selector("#stage .facebox__label[data-placed]")

    page.hover('#stage .facebox[data-face="2"]')
    assert "is-highlighted" in page.locator("#face-2").get_attribute("class")
    page.hover("#face-4")
    assert "is-highlighted" in page.locator('#stage .facebox[data-face="4"]').get_attribute("class")
    assert "is-highlighted" not in page.locator("#face-2").get_attribute("class")
    page.keyboard.press("Tab")  # keyboard users reach the boxes too
    page.focus('#stage .facebox[data-face="1"]')
    assert "is-highlighted" in page.locator("#face-1").get_attribute("class")
