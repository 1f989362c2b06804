"""The detail page: the photo with its face boxes (drawn by detail.js), probabilities, timings, delete."""

import json
import re

import pytest
from django.urls import reverse

import ml
from analysis.models import Detection, Media
from tests.analysis.helpers import add_photo_faces, probabilities

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(alice):
    media = Media.objects.create(
        user=alice,
        original_name="party.jpg",
        file=f"users/{alice.pk}/party.jpg",
        thumbnail=f"users/{alice.pk}/thumbs/party.jpg",
        width=1200,
        height=800,
        status=Media.Status.DONE,
        face_count=2,
        dominant_emotion="happy",
        model_version="reference-v1",
        timings={"detect_ms": 41.5, "classify_ms": 7.25},
    )
    add_photo_faces(
        media,
        ((700, 100, 150, 150), probabilities("surprise", 0.6)),
        ((100, 200, 200, 220), probabilities("happy", 0.9)),
    )
    return media


def _media_data(body):
    match = re.search(r'<script id="media-data" type="application/json">(.*?)</script>', body, re.S)
    return json.loads(match.group(1))


def test_it_hands_the_boxes_in_original_pixels_to_the_drawing_script(client, alice, photo):
    client.force_login(alice)

    body = client.get(reverse("analysis:detail", args=[photo.pk])).content.decode()

    data = _media_data(body)
    assert data["width"] == 1200 and data["height"] == 800
    # Numbered left to right, the same order as the list beside the photo.
    assert [face["box"] for face in data["faces"]] == [[100, 200, 200, 220], [700, 100, 150, 150]]
    assert [face["emotion"] for face in data["faces"]] == ["happy", "surprise"]
    assert data["api"] == reverse("api:media-detail", args=[photo.pk])
    assert f'src="{photo.original_url()}"' in body
    assert "js/detail.js" in body


def test_it_charts_all_seven_probabilities_of_each_face(client, alice, photo):
    client.force_login(alice)

    response = client.get(reverse("analysis:detail", args=[photo.pk]))

    body = response.content.decode()
    assert body.count('class="bars__row') == 2 * len(ml.EMOTIONS)
    assert 'style="width: 90.0%"' in body  # face 1: happy 0.9
    assert 'style="width: 60.0%"' in body  # face 2: surprise 0.6
    assert "2 faces" in body


def test_it_shows_the_timings_and_the_model(client, alice, photo):
    client.force_login(alice)

    body = client.get(reverse("analysis:detail", args=[photo.pk])).content.decode()

    assert "reference-v1" in body
    assert "Detect</dt><dd>41.5 ms" in body or "Detect</dt><dd>42 ms" in body
    assert "Classify</dt><dd>7.2 ms" in body or "Classify</dt><dd>7.3 ms" in body


def test_a_failed_item_shows_its_error(client, alice):
    media = Media.objects.create(
        user=alice, file="users/x/f.jpg", status=Media.Status.FAILED, error="The image data is damaged."
    )
    client.force_login(alice)

    body = client.get(reverse("analysis:detail", args=[media.pk])).content.decode()

    assert "The analysis failed." in body
    assert "The image data is damaged." in body


def test_deleting_asks_for_confirmation_then_removes_the_item(client, alice, photo):
    client.force_login(alice)

    confirm = client.get(reverse("analysis:delete", args=[photo.pk]))
    assert confirm.status_code == 200
    assert "Delete this photo?" in confirm.content.decode()
    assert Media.objects.filter(pk=photo.pk).exists()

    response = client.post(reverse("analysis:delete", args=[photo.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("analysis:gallery")
    assert "party.jpg and its results were deleted." in response.content.decode()
    assert not Media.objects.filter(pk=photo.pk).exists()
    assert not Detection.objects.filter(media_id=photo.pk).exists()


def test_an_unknown_id_is_a_404(client, alice):
    client.force_login(alice)

    assert client.get(reverse("analysis:detail", args=["6f1c1e0a-3d7e-4a3c-9a53-000000000000"])).status_code == 404
