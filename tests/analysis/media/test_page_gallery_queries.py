"""The gallery's SQL query count per page is constant: it does not grow with the number of items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analysis.media.views import GALLERY_PAGE_SIZE
from analysis.models import Media
from tests.analysis.helpers import add_photo_faces

pytestmark = pytest.mark.django_db


def _add_items(user, n):
    items = Media.objects.bulk_create(
        Media(
            user=user,
            original_name=f"photo-{i}.jpg",
            file=f"users/{user.pk}/{i}.jpg",
            thumbnail=f"users/{user.pk}/thumbs/{i}.jpg",
            status=Media.Status.DONE if i % 3 else Media.Status.QUEUED,
            face_count=2,
            dominant_emotion="happy",
            timings={"detect_ms": 12.0},
        )
        for i in range(n)
    )
    for m in items:
        add_photo_faces(m, ((1, 1, 5, 5), {"happy": 1.0}), ((9, 1, 5, 5), {"happy": 1.0}))


def _queries_for_gallery(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("analysis:gallery"), params)
    assert response.status_code == 200
    return len(captured), response


def test_the_gallery_query_count_does_not_grow_with_the_number_of_items(client, alice):
    client.force_login(alice)
    _add_items(alice, 3)
    few, response = _queries_for_gallery(client)
    assert len(response.context["page"].object_list) == 3

    _add_items(alice, 3 * GALLERY_PAGE_SIZE)
    many, response = _queries_for_gallery(client)
    assert len(response.context["page"].object_list) == GALLERY_PAGE_SIZE
    later, _ = _queries_for_gallery(client, page=2)

    assert many == few
    assert later == few


def test_the_dashboard_query_count_does_not_grow_with_the_number_of_items(client, alice):
    client.force_login(alice)
    _add_items(alice, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("analysis:dashboard"))
    _add_items(alice, 40)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("analysis:dashboard"))

    assert len(many) == len(few)
