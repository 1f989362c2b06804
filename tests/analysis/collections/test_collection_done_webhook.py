"""collection.done is recorded once, when every item of an archive upload has ended, with the summary in its
body, and signed like every other event."""

import json

import pytest

from analysis.models import Media, WebhookEndpoint, WebhookMessage
from analysis.webhooks.delivery import signed_headers
from analysis.webhooks.http_client import sign
from ml.pipeline import Face
from tests import zips
from tests.analysis.helpers import PROBABILITIES


@pytest.fixture
def endpoint(alice, private_webhook_addresses):
    return WebhookEndpoint.objects.create(user=alice, url="https://example.org/hook", events=["collection.done"])


def finish(media: Media, emotion: str = "happy") -> None:
    media.mark_processing()
    media.mark_done([Face((10, 10, 40, 40), PROBABILITIES, emotion, 0.7)], model_version="test", timings={})


def test_it_is_sent_once_every_item_of_the_archive_has_ended(alice, study, api, endpoint, sent_tasks):
    labels = {"photo-000.jpg": "happy", "photo-001.jpg": "sad"}
    response = api(alice).post(
        f"/api/collections/{study.pk}/archive/",
        {"file": zips.as_upload(zips.photos(2, 64, labels))},
        format="multipart",
    )
    first, second = (Media.objects.get(pk=item["id"]) for item in response.json()["items"])

    finish(first)
    assert WebhookMessage.objects.count() == 0  # one item still queued
    second.mark_processing()
    second.mark_failed("broken")  # failed is ended too
    finish(Media.objects.create(user=alice, collection=study, file="other.jpg"))  # not the archive's: no second event

    message = WebhookMessage.objects.get()
    body = json.loads(message.body)
    assert (message.event, body["type"]) == ("collection.done", "collection.done")
    assert body["data"]["collection"]["id"] == str(study.pk)
    assert sorted(body["data"]["archive"]["items"]) == sorted(str(m.pk) for m in (first, second))
    summary = body["data"]["summary"]
    assert summary["items"]["by_status"]["done"] == 1 and summary["items"]["by_status"]["failed"] == 1
    assert summary["evaluation"]["n_scored"] == 1 and summary["evaluation"]["failed"] == 1
    headers = signed_headers(message, message.body.encode())
    timestamp = int(headers["webhook-timestamp"])
    assert headers["webhook-signature"] == sign(endpoint.secret, message.webhook_id, timestamp, message.body.encode())


def test_an_archive_with_no_item_taken_is_done_at_once(alice, study, api, endpoint):
    api(alice).post(
        f"/api/collections/{study.pk}/archive/",
        {"file": zips.as_upload(zips.build({"a.txt": b"x"}))},
        format="multipart",
    )

    assert WebhookMessage.objects.get().event == "collection.done"


def test_deleting_the_last_unfinished_item_of_an_archive_sends_it(
    alice, study, api, endpoint, django_capture_on_commit_callbacks
):
    response = api(alice).post(
        f"/api/collections/{study.pk}/archive/",
        {"file": zips.as_upload(zips.photos(2, 64, {}))},
        format="multipart",
    )
    first, second = (Media.objects.get(pk=item["id"]) for item in response.json()["items"])
    finish(first)
    assert WebhookMessage.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        second.delete()

    body = json.loads(WebhookMessage.objects.get().body)
    assert body["type"] == "collection.done"
    assert body["data"]["summary"]["items"]["total"] == 1
