"""An activity entry about an item (its upload, its deletion) names the file beside the item's id, as it
was when the action happened: the entry still says which file it was after the item is deleted."""

import pytest
from rest_framework.test import APIClient

from analysis.jobs import dispatch
from analysis.media.activity import item_detail
from analysis.models import ActivityEntry, Media
from tests.photos import astronaut, encode, upload


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(dispatch.app, "send_task", lambda *args, **kwargs: None)


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def details(user, action: str) -> list[str]:
    return list(ActivityEntry.objects.for_user(user).filter(action=action).values_list("detail", flat=True))


def test_an_api_upload_and_its_deletion_name_the_file_on_the_api_and_the_profile_page(alice, client):
    api = api_client(alice)
    media_id = api.post("/api/media/", {"file": upload(encode(astronaut()), "party.jpg")}).json()["id"]
    assert api.delete(f"/api/media/{media_id}/").status_code == 204

    entries = api.get("/api/me/activity/").json()["results"]

    assert [(entry["action"], entry["detail"]) for entry in entries] == [
        ("media.deleted", f'{media_id} "party.jpg"'),
        ("media.uploaded", f'{media_id} "party.jpg"'),
    ]
    client.force_login(alice)
    page = client.get("/accounts/profile/").content.decode()
    assert f"{media_id} &quot;party.jpg&quot;" in page


def test_the_upload_and_delete_pages_name_the_file_too(alice, client):
    client.force_login(alice)
    client.post("/upload/", {"file": upload(encode(astronaut()), "beach day.jpg")})
    media = Media.objects.get(user=alice)
    client.post(f"/media/{media.pk}/delete/")

    assert details(alice, "media.uploaded") == [f'{media.pk} "beach day.jpg"']
    assert details(alice, "media.deleted") == [f'{media.pk} "beach day.jpg"']


def test_a_hostile_file_name_is_kept_as_text_escaped_on_the_page(alice, client):
    name = "<img src=x onerror=alert(1)>\x1b[31m.jpg"
    api_client(alice).post("/api/media/", {"file": upload(encode(astronaut()), name)})
    media = Media.objects.get(user=alice)

    detail = details(alice, "media.uploaded")[0]
    assert detail.startswith(f'{media.pk} "<img src=x onerror=alert(1)>') and detail.isprintable()
    unsent = Media(original_name="a\x1bb\nc.jpg")  # what a multipart body cannot carry: made spaces
    assert item_detail(unsent) == f'{unsent.pk} "a b c.jpg"'
    client.force_login(alice)
    page = client.get("/accounts/profile/").content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_long_file_name_fits_the_entry(alice):
    api_client(alice).post("/api/media/", {"file": upload(encode(astronaut()), "a" * 250 + ".jpg")})
    media = Media.objects.get(user=alice)

    detail = details(alice, "media.uploaded")[0]
    assert detail.startswith(f'{media.pk} "aaa') and len(detail) <= 300


def test_another_user_never_sees_the_file_names(alice, bob):
    api_client(alice).post("/api/media/", {"file": upload(encode(astronaut()), "alice-private.jpg")})

    body = api_client(bob).get("/api/me/activity/").json()

    assert body["count"] == 0 and "alice-private" not in str(body)
