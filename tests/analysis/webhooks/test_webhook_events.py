"""Every way a job ends records its event once, in the transaction that ended it, with the item as
the API shows it; a message is sent to the `webhooks` queue only once that transaction commits."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

import ml
from analysis.jobs import dispatch
from analysis.jobs.sweeper import sweep_stale_jobs
from analysis.media.services import cancel_media, create_media
from analysis.models import AnnotatedCopy, Media, WebhookEndpoint, WebhookMessage
from tests.analysis.helpers import finished_photo
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.usefixtures("private_webhook_addresses")

ALL_EVENTS = ["media.done", "media.failed", "media.cancelled", "annotated.done"]


@pytest.fixture
def endpoint(alice):
    return WebhookEndpoint.objects.create(user=alice, url="https://127.0.0.1/hook", events=ALL_EVENTS)


def events() -> list[str]:
    return list(WebhookMessage.objects.order_by("created_at").values_list("event", flat=True))


def test_a_finished_photo_sends_media_done_with_the_item_as_the_api_shows_it(alice, alice_api, endpoint):
    media = finished_photo(alice)

    (message,) = WebhookMessage.objects.all()
    body = json.loads(message.body)

    assert body["type"] == "media.done"
    assert body["timestamp"].endswith("Z")
    assert body["data"] == alice_api.get(f"/api/media/{media.pk}/").json()


def test_a_failed_analysis_sends_media_failed(alice, endpoint):
    media = create_media(alice, upload(encode(astronaut())))
    media.mark_processing()

    media.mark_failed("This image could not be analysed.")
    media.mark_failed("Again: it is final already.")

    assert events() == ["media.failed"]
    assert json.loads(WebhookMessage.objects.get().body)["data"]["error"] == "This image could not be analysed."


def test_a_cancelled_analysis_sends_media_cancelled_once(alice, endpoint):
    media = create_media(alice, upload(encode(astronaut())))

    assert cancel_media(media)
    assert not cancel_media(media)

    assert events() == ["media.cancelled"]


def test_the_sweeper_giving_up_sends_media_failed(alice, endpoint, settings):
    media = create_media(alice, upload(encode(astronaut())))
    Media.objects.filter(pk=media.pk).update(
        status="processing", attempts=settings.FER_JOB_MAX_ATTEMPTS, heartbeat_at=timezone.now() - timedelta(hours=1)
    )

    assert sweep_stale_jobs()["failed"] == 1

    assert events() == ["media.failed"]


def test_a_finished_clip_sends_media_done_and_its_annotated_copy_annotated_done(alice, endpoint):
    clip = Media.objects.create(user=alice, kind=Media.Kind.VIDEO, file=f"users/{alice.pk}/clip.mp4")
    clip.mark_processing()
    clip.store_clip_summary(
        {"people": 0, "dominant_emotion": ""}, [], finish=True, model_version="test", timings={"total_ms": 1.0}
    )
    AnnotatedCopy.ask(clip)
    copy = AnnotatedCopy.objects.get(pk=clip.pk)
    copy.mark_processing()
    copy.mark_done("annotated.mp4", ContentFile(b"mp4"))

    assert events() == ["media.done", "annotated.done"]
    last = json.loads(WebhookMessage.objects.get(event="annotated.done").body)
    assert last["data"]["exports"]["annotated"]["status"] == "done"


def test_only_subscribed_enabled_endpoints_get_an_event(alice, endpoint):
    WebhookEndpoint.objects.create(user=alice, url="https://127.0.0.1/failures", events=["media.failed"])
    WebhookEndpoint.objects.create(user=alice, url="https://127.0.0.1/off", events=ALL_EVENTS, enabled=False)

    finished_photo(alice)

    assert list(WebhookMessage.objects.values_list("endpoint", flat=True)) == [endpoint.pk]


def test_an_ending_that_rolls_back_records_no_event(alice, endpoint):
    media = create_media(alice, upload(encode(astronaut())))
    media.mark_processing()

    with transaction.atomic():
        media.mark_failed("Never committed.")
        transaction.set_rollback(True)

    assert events() == []


def test_the_delivery_is_sent_to_the_webhooks_queue_only_after_the_commit(
    alice, endpoint, sent_tasks, django_capture_on_commit_callbacks
):
    media = create_media(alice, upload(encode(astronaut())))
    media.mark_processing()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        media.mark_failed("Failed.")
    assert [name for name, *_ in sent_tasks] == []

    for callback in callbacks:
        callback()

    message = WebhookMessage.objects.get()
    assert (dispatch.DELIVER_WEBHOOK, [str(message.pk)]) in [(name, args) for name, args, _ in sent_tasks]


def test_absolute_urls_in_a_clips_item_come_from_the_site_url(alice, endpoint, settings):
    settings.FER_SITE_URL = "https://facet.example.com"
    clip = Media.objects.create(user=alice, kind=Media.Kind.VIDEO, file=f"users/{alice.pk}/clip.mp4")

    cancel_media(clip)

    data = json.loads(WebhookMessage.objects.get().body)["data"]
    assert data["detections_url"] == f"https://facet.example.com/api/media/{clip.pk}/detections/"


def test_a_saved_live_recording_sends_media_done_with_the_item_as_the_api_shows_it(alice, alice_api, endpoint):
    from analysis.live.recordings import save_recording

    probabilities = {name: (0.64 if name == "happy" else 0.06) for name in ml.EMOTIONS}
    media = save_recording(alice, [{"t": t, "faces": 1, "probabilities": probabilities} for t in range(3)])

    (message,) = WebhookMessage.objects.all()
    body = json.loads(message.body)
    assert body["type"] == "media.done"
    assert body["data"] == alice_api.get(f"/api/media/{media.pk}/").json()
    assert body["data"]["kind"] == "live"
