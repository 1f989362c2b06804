"""A face whose calibrated confidence is under the served threshold is marked uncertain, in the API and
on the detail page, and keeps its top emotion as its label."""

import pytest
from django.urls import reverse

from analysis.models import Media
from ml.calibration import served_threshold
from tests.analysis.helpers import add_photo_faces, probabilities

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(alice):
    threshold = served_threshold()
    assert 0.2 < threshold < 0.8, "the shipped calibration must set a threshold"
    media = Media.objects.create(
        user=alice,
        original_name="pair.jpg",
        file=f"users/{alice.pk}/pair.jpg",
        thumbnail=f"users/{alice.pk}/thumbs/pair.jpg",
        width=640,
        height=480,
        status=Media.Status.DONE,
        face_count=2,
        dominant_emotion="happy",
    )
    add_photo_faces(
        media,
        ((10, 10, 80, 80), probabilities("fear", threshold - 0.05)),
        ((300, 10, 80, 80), probabilities("happy", threshold + 0.3)),
    )
    return media


def test_the_api_marks_a_face_under_the_threshold_uncertain_and_keeps_its_emotion(client, alice, photo):
    client.force_login(alice)
    faces = client.get(reverse("api:media-detail", args=[photo.pk])).json()["faces"]
    assert [(face["emotion"], face["uncertain"]) for face in faces] == [("fear", True), ("happy", False)]


def test_the_detail_page_shows_the_uncertain_face_as_uncertain(client, alice, photo):
    client.force_login(alice)
    body = client.get(reverse("analysis:detail", args=[photo.pk])).content.decode()
    assert body.count("badge--uncertain") == 1
    assert '"uncertain": true' in body and '"uncertain": false' in body
