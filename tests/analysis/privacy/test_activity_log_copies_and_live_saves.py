"""The activity log also names the copies asked of an item (blurred, annotated) and the live recordings
saved: each once, when it is set going, and never for another user's item."""

import json

import pytest

import ml
from analysis.models import ActivityEntry, Media
from tests.analysis.helpers import finished_photo


def entries(user) -> list[tuple[str, str]]:
    return [(e.action, e.detail) for e in ActivityEntry.objects.for_user(user).order_by("at", "id")]


@pytest.fixture
def clip(alice):
    """An analysed clip's row (its file is never read here)."""
    return Media.objects.create(
        user=alice,
        kind=Media.Kind.VIDEO,
        status=Media.Status.DONE,
        file=f"users/{alice.pk}/clip.mp4",
        original_name="holiday.mp4",
    )


def test_asking_for_a_blurred_copy_through_the_api_is_logged_once(alice, alice_api, media_root, sent_tasks):
    photo = finished_photo(alice)

    first = alice_api.post(f"/api/media/{photo.pk}/anonymized/")
    again = alice_api.post(f"/api/media/{photo.pk}/anonymized/")  # already on its way: nothing new set going

    assert (first.status_code, again.status_code) == (202, 202)
    assert entries(alice) == [("copy.requested", f'{photo.pk} "{photo.original_name}" copy=blurred')]


def test_asking_for_a_blurred_copy_on_the_item_page_is_logged(alice, client, media_root, sent_tasks):
    photo = finished_photo(alice)
    client.force_login(alice)
    ActivityEntry.objects.all().delete()  # the log-in's entry

    client.post(f"/media/{photo.pk}/anonymize/", {"show_emotion": "on"})

    assert entries(alice) == [("copy.requested", f'{photo.pk} "{photo.original_name}" copy=blurred')]


def test_asking_for_an_annotated_clip_is_logged(alice, alice_api, clip, sent_tasks):
    response = alice_api.post(f"/api/media/{clip.pk}/annotated/")

    assert response.status_code == 202
    assert entries(alice) == [("copy.requested", f'{clip.pk} "holiday.mp4" copy=annotated')]


def test_a_refused_or_foreign_request_logs_nothing(alice, bob, alice_api, bob_api, clip, media_root, sent_tasks):
    queued = Media.objects.create(user=alice, kind=Media.Kind.PHOTO, status=Media.Status.QUEUED)

    assert bob_api.post(f"/api/media/{clip.pk}/annotated/").status_code == 404
    assert bob_api.post(f"/api/media/{clip.pk}/anonymized/").status_code == 404
    assert alice_api.post(f"/api/media/{queued.pk}/anonymized/").status_code == 409  # nothing to blur yet

    assert entries(alice) == [] and entries(bob) == []


def test_saving_a_live_recording_is_logged_with_its_item(alice, client):
    client.force_login(alice)
    ActivityEntry.objects.all().delete()  # the log-in's entry
    second = {"t": 0, "frames": 4, "faces": 1, "probabilities": dict.fromkeys(ml.EMOTIONS, 1 / 7)}

    response = client.post("/live/save/", json.dumps({"seconds": [second]}), content_type="application/json")

    assert response.status_code == 201
    item = Media.objects.get(pk=response.json()["id"])
    assert entries(alice) == [("live.saved", f'{item.pk} "{item.original_name}"')]
