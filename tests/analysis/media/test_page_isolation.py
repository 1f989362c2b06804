"""Alice can neither see, nor delete, nor even confirm the existence of Bob's items on any page."""

import pytest
from django.urls import reverse

from analysis.models import Media

pytestmark = pytest.mark.django_db


def _media(user, name, emotion="happy"):
    return Media.objects.create(
        user=user,
        original_name=name,
        file=f"users/{user.pk}/{name}.jpg",
        thumbnail=f"users/{user.pk}/thumbs/{name}.jpg",
        width=640,
        height=480,
        status=Media.Status.DONE,
        face_count=1,
        dominant_emotion=emotion,
    )


@pytest.fixture
def bobs(bob):
    return _media(bob, "bobs-secret-holiday", "sad")


def test_another_users_detail_page_is_a_404(client, alice, bobs):
    client.force_login(alice)

    assert client.get(reverse("analysis:detail", args=[bobs.pk])).status_code == 404


def test_another_users_delete_page_is_a_404(client, alice, bobs):
    client.force_login(alice)

    assert client.get(reverse("analysis:delete", args=[bobs.pk])).status_code == 404


def test_posting_a_delete_for_another_users_item_is_a_404_and_deletes_nothing(client, alice, bobs):
    client.force_login(alice)

    response = client.post(reverse("analysis:delete", args=[bobs.pk]))

    assert response.status_code == 404
    assert Media.objects.filter(pk=bobs.pk).exists()


def test_the_gallery_shows_only_the_users_own_items(client, alice, bob, bobs):
    mine = _media(alice, "alices-cat")
    client.force_login(alice)

    body = client.get(reverse("analysis:gallery")).content.decode()

    assert "alices-cat" in body
    assert str(mine.pk) in body
    assert "bobs-secret-holiday" not in body
    assert str(bobs.pk) not in body


def test_the_dashboard_counts_only_the_users_own_items(client, alice, bob, bobs):
    _media(bob, "bobs-second", "sad")
    _media(alice, "alices-cat", "happy")
    client.force_login(alice)

    response = client.get(reverse("analysis:dashboard"))

    body = response.content.decode()
    assert response.context["counts"]["photos"] == 1
    assert "bobs-secret-holiday" not in body
    assert str(bobs.pk) not in body


def test_the_gallery_filters_cannot_reach_another_users_items(client, alice, bobs):
    client.force_login(alice)

    response = client.get(reverse("analysis:gallery"), {"emotion": "sad", "status": "done"})

    assert response.context["page"].paginator.count == 0
    assert str(bobs.pk) not in response.content.decode()
