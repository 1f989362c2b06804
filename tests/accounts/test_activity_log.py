"""GET /api/me/activity/ and the profile page list what was done on the account (log-ins, tokens, uploads,
deletions, exports, webhook and retention changes) with time and address; entries go after 90 days."""

from datetime import timedelta

from django.utils import timezone

from analysis.models import ActivityEntry, Media
from analysis.privacy.sweep import sweep_privacy
from tests.photos import astronaut, encode, upload

PASSWORD = "correct horse battery staple"


def actions(user) -> list[str]:
    return list(ActivityEntry.objects.for_user(user).values_list("action", flat=True))[::-1]


def test_each_kind_of_change_is_logged_with_time_and_address(alice, client, make_api_client, monkeypatch, settings):
    settings.FER_WEBHOOK_ALLOW_PRIVATE, settings.FER_WEBHOOK_ALLOW_HTTP = True, True
    monkeypatch.setattr("analysis.jobs.dispatch.app.send_task", lambda *args, **kwargs: None)
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    client.post("/accounts/token/")
    client.post("/accounts/token/")
    client.post("/upload/", {"file": upload(encode(astronaut()))})
    media = Media.objects.get(user=alice)
    client.post(f"/media/{media.pk}/delete/")
    client.post("/accounts/privacy/keep-media/", {"keep": "results_only"})
    client.post("/accounts/privacy/export/")
    api = make_api_client(alice)
    endpoint = api.post(
        "/api/webhooks/", {"url": "http://127.0.0.1/hook", "events": ["media.done"]}, format="json"
    ).json()
    api.patch(f"/api/webhooks/{endpoint['id']}/", {"enabled": False}, format="json")
    api.delete(f"/api/webhooks/{endpoint['id']}/")

    assert actions(alice) == [
        "login",
        "token.created",
        "token.rotated",
        "media.uploaded",
        "media.deleted",
        "retention.changed",
        "export.requested",
        "webhook.created",
        "webhook.changed",
        "webhook.deleted",
    ]
    login = ActivityEntry.objects.get(user=alice, action="login")
    assert login.ip == "198.51.100.7" and abs(login.at - timezone.now()) < timedelta(minutes=1)
    assert ActivityEntry.objects.get(user=alice, action="retention.changed").detail == "results_only"


def test_the_api_lists_entries_newest_first_paginated_like_the_media_list(alice, alice_api):
    for number in range(25):
        ActivityEntry.objects.create(user=alice, action="login", ip="203.0.113.5", detail=str(number))

    body = alice_api.get("/api/me/activity/").json()

    assert body["count"] == 25 and body["next"] and body["previous"] is None
    assert len(body["results"]) == 20
    assert set(body["results"][0]) == {"action", "at", "ip", "detail"}
    assert body["results"][0]["detail"] == "24"
    assert alice_api.get(body["next"]).json()["results"][-1]["detail"] == "0"


def test_another_user_never_sees_the_entries(alice, bob_api, make_api_client):
    ActivityEntry.objects.create(user=alice, action="login", ip="203.0.113.5")

    assert bob_api.get("/api/me/activity/").json()["count"] == 0
    assert make_api_client().get("/api/me/activity/").status_code in (401, 403)


def test_the_api_token_endpoint_logs_the_tokens_creation(alice, make_api_client):
    make_api_client().post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    make_api_client().post("/api/auth/token/", {"username": "alice", "password": PASSWORD})

    assert actions(alice) == ["token.created"]


def test_the_profile_page_shows_the_recent_activity(alice, client):
    ActivityEntry.objects.create(user=alice, action="export.requested", ip="203.0.113.9", detail="zip")
    client.force_login(alice)

    page = client.get("/accounts/profile/").content.decode()

    assert "Recent activity" in page and "203.0.113.9" in page and "Export Requested" in page


def test_the_sweep_prunes_entries_older_than_90_days(alice):
    old = ActivityEntry.objects.create(user=alice, action="login", at=timezone.now() - timedelta(days=91))
    recent = ActivityEntry.objects.create(user=alice, action="login", at=timezone.now() - timedelta(days=89))

    assert sweep_privacy()["activity"] == 1

    assert not ActivityEntry.objects.filter(pk=old.pk).exists()
    assert ActivityEntry.objects.filter(pk=recent.pk).exists()
