"""The dashboard counts photos and faces and charts the emotions over all of the user's faces."""

import pytest
from django.urls import reverse

from analysis.models import Face, Media

pytestmark = pytest.mark.django_db


def _photo_with_faces(user, emotions, status=Media.Status.DONE):
    media = Media.objects.create(
        user=user,
        file=f"users/{user.pk}/x.jpg",
        status=status,
        face_count=len(emotions) if status == Media.Status.DONE else None,
    )
    for e in emotions:
        Face.objects.create(media=media, x=0, y=0, w=1, h=1, probabilities={e: 1.0}, emotion=e, confidence=1.0)
    return media


def test_it_counts_photos_faces_and_charts_each_emotion(client, alice):
    _photo_with_faces(alice, ["happy", "happy", "sad"])
    _photo_with_faces(alice, ["happy"])
    _photo_with_faces(alice, [], status=Media.Status.QUEUED)
    client.force_login(alice)

    response = client.get(reverse("analysis:dashboard"))

    counts = response.context["counts"]
    assert (counts["photos"], counts["faces"], counts["active"]) == (3, 4, 1)
    body = response.content.decode()
    assert 'data-emotion="happy" data-count="3"' in body
    assert 'data-emotion="sad" data-count="1"' in body
    assert 'data-emotion="angry" data-count="0"' in body
    assert "most often <strong>happy</strong>" in body
    bars = {bar["emotion"]: bar for bar in response.context["emotions"]["bars"]}
    assert bars["happy"]["w"] > bars["sad"]["w"] > bars["angry"]["w"] == 0


def test_a_new_user_sees_an_empty_state_instead_of_a_chart(client, alice):
    client.force_login(alice)

    body = client.get(reverse("analysis:dashboard")).content.decode()

    assert "No faces analysed yet." in body
    assert 'data-stat="photos">0<' in body


def test_the_landing_page_sends_logged_in_users_to_their_dashboard(client, alice):
    assert client.get(reverse("analysis:home")).status_code == 200
    client.force_login(alice)

    assert client.get(reverse("analysis:home")).url == reverse("analysis:dashboard")
