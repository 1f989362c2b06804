"""GET /api/media/ costs the same number of SQL queries per page, however many items there are."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis.models import Media
from tests.analysis.helpers import add_photo_faces


def add_items(user, count, faces_each=3):
    items = Media.objects.bulk_create(
        Media(user=user, file=f"users/{user.pk}/{i}.jpg", status=Media.Status.DONE, face_count=faces_each)
        for i in range(count)
    )
    for media in items:
        add_photo_faces(media, *(((1 + 10 * i, 1, 5, 5), {"happy": 1.0}) for i in range(faces_each)))


def queries_for_list(client, query=""):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/media/{query}")
    assert response.status_code == 200
    return len(captured), response.json()


def test_the_list_query_count_does_not_grow_with_the_number_of_items(alice, alice_api, bob):
    add_items(alice, 2)
    few, body = queries_for_list(alice_api)
    assert body["count"] == 2

    add_items(alice, 150)
    add_items(bob, 50)
    many, body = queries_for_list(alice_api)
    last_page, last = queries_for_list(alice_api, "?page=8")

    assert body["count"] == 152 and len(body["results"]) == 20
    assert all(len(item["faces"]) == 3 for item in body["results"])
    assert len(last["results"]) == 12
    assert few == many == last_page
