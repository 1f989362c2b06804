"""Every page that shows or changes a user's data sends an anonymous visitor to the log-in page."""

import uuid

import pytest
from django.urls import reverse

from analysis.models import Media

pytestmark = pytest.mark.django_db

ANY_ID = uuid.UUID("6f1c1e0a-3d7e-4a3c-9a53-000000000001")


@pytest.mark.parametrize(
    "name, args",
    [
        ("analysis:upload", []),
        ("analysis:gallery", []),
        ("analysis:dashboard", []),
        ("analysis:detail", [ANY_ID]),
        ("analysis:delete", [ANY_ID]),
        ("accounts:profile", []),
        ("accounts:delete", []),
        ("accounts:password_change", []),
    ],
)
def test_an_anonymous_visitor_is_sent_to_log_in(client, name, args):
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_an_anonymous_post_deletes_nothing_and_creates_nothing(client, alice):
    media = Media.objects.create(user=alice, file="users/1/a.jpg")

    client.post(reverse("analysis:delete", args=[media.pk]))
    client.post(reverse("accounts:rotate_token"))
    client.post(reverse("analysis:upload"), {})

    assert Media.objects.filter(pk=media.pk).exists()
    assert Media.objects.count() == 1
