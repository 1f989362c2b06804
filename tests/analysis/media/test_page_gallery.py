"""The gallery lists the user's items newest first, filters them, paginates, and marks live ones."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.media.views import GALLERY_PAGE_SIZE
from analysis.models import Media

pytestmark = pytest.mark.django_db


def _media(user, name, *, status=Media.Status.DONE, emotion="", days_ago=0):
    return Media.objects.create(
        user=user,
        original_name=name,
        file=f"users/{user.pk}/{name}.jpg",
        thumbnail=f"users/{user.pk}/thumbs/{name}.jpg",
        status=status,
        dominant_emotion=emotion,
        face_count=1 if emotion else None,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def _names(response):
    return [item.original_name for item in response.context["page"].object_list]


def test_it_lists_newest_first_with_thumbnails_and_badges(client, alice):
    old = _media(alice, "old", emotion="sad", days_ago=3)
    new = _media(alice, "new", emotion="happy")
    client.force_login(alice)

    response = client.get(reverse("analysis:gallery"))

    assert _names(response) == ["new", "old"]
    body = response.content.decode()
    assert new.thumbnail_url() in body
    assert old.thumbnail_url() in body
    assert 'class="badge badge--emotion emo-happy"' in body
    assert 'class="badge badge--done"' in body


def test_it_filters_by_emotion(client, alice):
    _media(alice, "smile", emotion="happy")
    _media(alice, "frown", emotion="sad")
    client.force_login(alice)

    assert _names(client.get(reverse("analysis:gallery"), {"emotion": "sad"})) == ["frown"]


def test_it_filters_by_status(client, alice):
    _media(alice, "finished")
    _media(alice, "waiting", status=Media.Status.QUEUED)
    _media(alice, "broken", status=Media.Status.FAILED)
    client.force_login(alice)

    assert _names(client.get(reverse("analysis:gallery"), {"status": "queued"})) == ["waiting"]
    assert _names(client.get(reverse("analysis:gallery"), {"status": "failed"})) == ["broken"]


def test_it_filters_by_date_range(client, alice):
    _media(alice, "today")
    _media(alice, "last-week", days_ago=7)
    _media(alice, "last-month", days_ago=30)
    client.force_login(alice)
    today = timezone.localdate()

    response = client.get(
        reverse("analysis:gallery"),
        {"since": (today - timedelta(days=10)).isoformat(), "until": (today - timedelta(days=1)).isoformat()},
    )

    assert _names(response) == ["last-week"]


def test_a_reversed_date_range_is_explained_not_ignored_silently(client, alice):
    client.force_login(alice)

    response = client.get(reverse("analysis:gallery"), {"since": "2026-02-01", "until": "2026-01-01"})

    assert "The start date is after the end date." in response.content.decode()


def test_it_paginates_and_keeps_the_filters_in_the_page_links(client, alice):
    for i in range(GALLERY_PAGE_SIZE + 2):
        _media(alice, f"p{i}", emotion="happy")
    client.force_login(alice)

    first = client.get(reverse("analysis:gallery"), {"emotion": "happy"})
    second = client.get(reverse("analysis:gallery"), {"emotion": "happy", "page": 2})

    assert len(_names(first)) == GALLERY_PAGE_SIZE
    assert len(_names(second)) == 2
    assert set(_names(first)).isdisjoint(_names(second))
    assert "?emotion=happy&amp;page=2" in first.content.decode()


def test_items_in_progress_are_marked_for_polling_with_the_api_url(client, alice):
    waiting = _media(alice, "waiting", status=Media.Status.PROCESSING)
    client.force_login(alice)

    body = client.get(reverse("analysis:gallery")).content.decode()

    assert f'data-id="{waiting.pk}" data-status="processing"' in body
    assert 'data-api="/api/media/00000000-0000-0000-0000-000000000000/"' in body
    assert "js/gallery.js" in body


def test_an_empty_gallery_invites_an_upload(client, alice):
    client.force_login(alice)

    body = client.get(reverse("analysis:gallery")).content.decode()

    assert "Nothing here yet." in body
    assert reverse("analysis:upload") in body


def _clip(user, name, *, people=3, duration_ms=65_000, kind=Media.Kind.VIDEO):
    return Media.objects.create(
        user=user,
        kind=kind,
        original_name=name,
        file=f"users/{user.pk}/{name}.mp4",
        status=Media.Status.DONE,
        face_count=people,
        people=people,
        duration_ms=duration_ms,
    )


def test_it_filters_by_kind_with_the_apis_names(client, alice):
    _media(alice, "photo")
    _clip(alice, "clip")
    _clip(alice, "recording", kind=Media.Kind.LIVE)
    client.force_login(alice)

    assert _names(client.get(reverse("analysis:gallery"), {"kind": "video"})) == ["clip"]
    assert _names(client.get(reverse("analysis:gallery"), {"kind": "live"})) == ["recording"]
    assert _names(client.get(reverse("analysis:gallery"), {"kind": "photo"})) == ["photo"]


def test_the_page_and_the_api_take_the_same_date_filters_and_the_old_names_alike(client, alice):
    _media(alice, "old", days_ago=20)
    _media(alice, "recent", days_ago=2)
    client.force_login(alice)
    after = (timezone.localdate() - timedelta(days=5)).isoformat()

    for name in ("created_after", "since"):
        assert _names(client.get(reverse("analysis:gallery"), {name: after})) == ["recent"]
        api = client.get(reverse("api:media-list"), {name: after}).json()
        assert [item["summary"]["original_name"] for item in api["results"]] == ["recent"]


def test_the_api_refuses_an_unknown_filter_value_instead_of_ignoring_it(client, alice):
    _media(alice, "photo")
    client.force_login(alice)

    for query in ({"kind": "gif"}, {"emotion": "bored"}, {"created_after": "yesterday"}, {"until": "2026-13-01"}):
        response = client.get(reverse("api:media-list"), query)
        assert response.status_code == 400, query
        assert list(query)[0] in response.json()


def test_a_clip_tile_says_people_and_shows_a_clip_marker_with_its_duration(client, alice):
    _clip(alice, "party", people=3, duration_ms=65_000)
    _media(alice, "portrait", emotion="happy")
    client.force_login(alice)

    body = client.get(reverse("analysis:gallery")).content.decode()

    assert "3 people" in body and "3 faces" not in body
    assert "1 face<" in body
    assert "▶ clip" in body and ">1:05<" in body
