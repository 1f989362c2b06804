"""Another user's collection is 404 on every collection URL, API and pages, and cannot be uploaded or
moved into."""

import pytest
from django.test import Client

from analysis.models import Collection, Media
from tests import zips
from tests.photos import upload

API = [
    ("get", "/api/collections/{id}/"),
    ("patch", "/api/collections/{id}/"),
    ("delete", "/api/collections/{id}/"),
    ("get", "/api/collections/{id}/items/"),
    ("post", "/api/collections/{id}/items/"),
    ("delete", "/api/collections/{id}/items/"),
    ("post", "/api/collections/{id}/archive/"),
    ("put", "/api/collections/{id}/labels/"),
    ("get", "/api/collections/{id}/summary/"),
    ("get", "/api/collections/{id}/export.csv/"),
    ("get", "/api/collections/{id}/export.json/"),
    ("get", "/api/collections/{id}/export.csv"),
    ("get", "/api/collections/{id}/export.json"),
]
PAGES = [
    ("get", "/collections/{id}/"),
    ("post", "/collections/{id}/"),
    ("get", "/collections/{id}/delete/"),
    ("post", "/collections/{id}/delete/"),
    ("post", "/collections/{id}/archive/"),
    ("post", "/collections/{id}/labels/"),
]


@pytest.mark.parametrize(("method", "url"), API, ids=[f"{m} {u}" for m, u in API])
def test_another_users_collection_is_404_in_the_api(method, url, alice, bob, study, api):
    response = getattr(api(bob), method)(url.format(id=study.pk), {"name": "x", "items": []}, format="json")

    assert response.status_code == 404
    assert Collection.objects.filter(pk=study.pk, name="Study").exists()


@pytest.mark.parametrize(("method", "url"), PAGES, ids=[f"{m} {u}" for m, u in PAGES])
def test_another_users_collection_is_404_on_the_pages(method, url, alice, bob, study):
    client = Client()
    client.force_login(bob)

    response = getattr(client, method)(url.format(id=study.pk), {"name": "x", "delete_items": "on"})

    assert response.status_code == 404
    assert Collection.objects.filter(pk=study.pk).exists()


def test_the_list_shows_only_ones_own_collections(alice, bob, study, api):
    assert api(bob).get("/api/collections/").json()["count"] == 0
    client = Client()
    client.force_login(bob)
    assert "Study" not in client.get("/collections/").content.decode()


def test_an_upload_cannot_go_into_another_users_collection(alice, bob, study, api, sent_tasks, astronaut_jpeg):
    response = api(bob).post("/api/media/", {"file": upload(astronaut_jpeg), "collection": str(study.pk)})

    assert response.status_code == 400
    assert Media.objects.count() == 0


def test_another_users_items_cannot_be_moved_in(alice, bob, study, api):
    bobs = Media.objects.create(user=bob, file="b.jpg")
    mine = Collection.objects.create(user=bob, name="Bob's")

    into_alices = api(bob).patch(f"/api/media/{bobs.pk}/", {"collection": str(study.pk)}, format="json")
    take_alices = api(bob).post(f"/api/collections/{mine.pk}/items/", {"items": [str(study.pk)]}, format="json")
    alices_item = Media.objects.create(user=alice, file="a.jpg")
    steal = api(bob).post(f"/api/collections/{mine.pk}/items/", {"items": [str(alices_item.pk)]}, format="json")

    assert into_alices.status_code == 400
    assert take_alices.status_code == 400 and steal.status_code == 400
    assert Media.objects.get(pk=alices_item.pk).collection_id is None


def test_an_archive_cannot_go_into_another_users_collection(alice, bob, study, api, sent_tasks):
    data = zips.photos(1, size=32)

    response = api(bob).post(
        f"/api/collections/{study.pk}/archive/", {"file": zips.as_upload(data)}, format="multipart"
    )

    assert response.status_code == 404
    assert Media.objects.count() == 0
