"""keep_media is chosen on the profile page or through GET/PATCH /api/me/, overridden per upload, and
days:N media is deleted by the privacy sweep N days after its upload, not before."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from analysis.media.services import create_media
from analysis.models import Media, PrivacySettings, user_folder
from analysis.privacy.sweep import sweep_privacy
from tests.analysis.clips import api_client
from tests.analysis.helpers import finished_photo
from tests.photos import astronaut, encode, upload


def test_me_answers_the_default_keep_media_always(alice):
    body = api_client(alice).get("/api/me/").json()

    assert body["keep_media"] == "always"
    assert body["username"] == "alice"


@pytest.mark.parametrize("value", ["always", "results_only", "days:1", "days:30", "days:365"])
def test_patching_me_stores_each_allowed_keep_media(alice, value):
    response = api_client(alice).patch("/api/me/", {"keep_media": value}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["keep_media"] == value
    assert PrivacySettings.objects.get(user=alice).keep_media == value


@pytest.mark.parametrize("value", ["never", "days:0", "days:366", "days:", "days:x", "", "days:-1"])
def test_patching_me_rejects_a_keep_media_that_is_not_one_of_the_three(alice, value):
    response = api_client(alice).patch("/api/me/", {"keep_media": value}, format="json")

    assert response.status_code == 400
    assert "keep_media" in response.json()
    assert not PrivacySettings.objects.filter(user=alice).exists()


def test_one_users_retention_is_not_another_users(alice, bob):
    api_client(alice).patch("/api/me/", {"keep_media": "results_only"}, format="json")

    assert api_client(bob).get("/api/me/").json()["keep_media"] == "always"


def test_me_needs_a_logged_in_user(db):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/me/").status_code in (401, 403)


def test_the_profile_page_changes_keep_media(alice, client):
    client.force_login(alice)

    response = client.post("/accounts/privacy/keep-media/", {"keep": "days", "days": "14"})

    assert response.status_code == 302
    assert PrivacySettings.objects.get(user=alice).keep_media == "days:14"
    assert "deleted 14 days after upload" in client.get("/accounts/profile/").content.decode()


def test_the_profile_page_refuses_days_out_of_range(alice, client):
    client.force_login(alice)

    response = client.post("/accounts/privacy/keep-media/", {"keep": "days", "days": "400"})

    assert response.status_code == 400
    assert not PrivacySettings.objects.filter(user=alice).exists()


def test_an_upload_gets_its_owners_keep_media(alice, sent_tasks):
    PrivacySettings.set_keep_media(alice, "days:7")

    media = create_media(alice, upload(encode(astronaut())))

    assert media.keep_media == "days:7"
    assert abs(media.media_expires_at - (media.created_at + timedelta(days=7))) < timedelta(seconds=1)


def test_an_api_upload_overrides_keep_media(alice, sent_tasks):
    PrivacySettings.set_keep_media(alice, "days:7")

    response = api_client(alice).post(
        "/api/media/", {"file": upload(encode(astronaut())), "keep_media": "results_only"}, format="multipart"
    )

    assert response.status_code == 202, response.content
    media = Media.objects.get(pk=response.json()["id"])
    assert media.keep_media == "results_only" and media.media_expires_at is None


def test_an_api_upload_with_a_wrong_keep_media_stores_nothing(alice, sent_tasks):
    response = api_client(alice).post(
        "/api/media/", {"file": upload(encode(astronaut())), "keep_media": "days:999"}, format="multipart"
    )

    assert response.status_code == 400
    assert "keep_media" in response.json()
    assert not Media.objects.exists()


def test_the_upload_page_overrides_keep_media(alice, client, sent_tasks):
    client.force_login(alice)

    client.post("/upload/", {"file": upload(encode(astronaut())), "keep_media": "days:30"})

    assert Media.objects.get(user=alice).keep_media == "days:30"


def test_the_sweeper_deletes_days_n_media_once_n_days_passed_and_not_before(
    alice, bob, media_root, django_capture_on_commit_callbacks
):
    PrivacySettings.set_keep_media(alice, "days:3")
    due, young = finished_photo(alice), finished_photo(alice)
    kept = finished_photo(bob)
    Media.objects.filter(pk=due.pk).update(media_expires_at=timezone.now() - timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_privacy()["media"] == 1

    due.refresh_from_db(), young.refresh_from_db(), kept.refresh_from_db()
    assert not due.file and not due.thumbnail and due.face_count == 1
    assert young.file and kept.file
    folder = Path(media_root) / user_folder(alice.pk)
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == sorted(
        Path(name).name for name in (young.file.name, young.thumbnail.name)
    )


def test_the_sweeper_waits_for_an_unfinished_analysis(alice, sent_tasks, django_capture_on_commit_callbacks):
    media = create_media(alice, upload(encode(astronaut())), keep_media="days:1")
    Media.objects.filter(pk=media.pk).update(media_expires_at=timezone.now() - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_privacy()["media"] == 0

    media.refresh_from_db()
    assert media.file
