"""Webhooks, the web side: endpoints (create, change, rotate, delete), events recorded when a job
ends, test events and re-sends. Sending is the worker's (analysis.webhooks.delivery), through dispatch.

An event is recorded (a WebhookMessage per subscribed endpoint, its body fixed then) inside the
transaction that ended the job, by the receiver of analysis.jobs.job_finished below, so each way a
job ends (worker, sweeper, cancel) makes its event exactly once, and only if the ending commits.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from analysis.jobs import dispatch
from analysis.jobs.lifecycle import JobStatus, job_finished
from analysis.media.models import AnnotatedCopy, Media
from analysis.media.serializers import MediaSerializer
from analysis.webhooks.http_client import Refused, check_destination
from analysis.webhooks.models import (
    TEST_EVENT,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookMessage,
)

__all__ = [
    "WebhookRejected",
    "create_endpoint",
    "delete_endpoint",
    "emit",
    "emit_data",
    "redeliver",
    "rotate_secret",
    "send_test",
    "update_endpoint",
]

MEDIA_EVENTS = {
    JobStatus.DONE: WebhookEvent.MEDIA_DONE,
    JobStatus.FAILED: WebhookEvent.MEDIA_FAILED,
    JobStatus.CANCELLED: WebhookEvent.MEDIA_CANCELLED,
}


class WebhookRejected(Exception):
    """A request about an endpoint that cannot be done; str(exc) says why, for its owner."""


def check_url(url: str) -> None:
    """WebhookRejected unless webhooks may be sent to ``url`` (scheme, and a public address)."""
    try:
        check_destination(url)
    except Refused as exc:
        raise WebhookRejected(str(exc)) from exc


def _check_events(events) -> list[str]:
    known = set(WebhookEvent.values)
    chosen = list(dict.fromkeys(events or []))
    if not chosen or not set(chosen) <= known:
        raise WebhookRejected(f"Choose one or more events of: {', '.join(WebhookEvent.values)}.")
    return chosen


def create_endpoint(user, url: str, events) -> WebhookEndpoint:
    """A new endpoint of ``user``, its secret generated; at most FER_WEBHOOK_MAX_ENDPOINTS each."""
    chosen = _check_events(events)
    check_url(url)
    with transaction.atomic():
        # The user's row, locked, makes the count and the insert one step: two requests at once
        # cannot both take the last place.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        limit = settings.FER_WEBHOOK_MAX_ENDPOINTS
        if WebhookEndpoint.objects.for_user(user).count() >= limit:
            raise WebhookRejected(f"You have {limit} webhook endpoints, the most allowed; delete one first.")
        return WebhookEndpoint.objects.create(user=user, url=url, events=chosen)


def update_endpoint(endpoint: WebhookEndpoint, *, url=None, events=None, enabled=None) -> WebhookEndpoint:
    """Change an endpoint's URL, events or whether it is on (turning it on forgets its failures)."""
    fields = []
    if url is not None and url != endpoint.url:
        check_url(url)
        endpoint.url = url
        fields.append("url")
    if events is not None:
        endpoint.events = _check_events(events)
        fields.append("events")
    if fields:
        endpoint.save(update_fields=fields)
    if enabled is True and not endpoint.enabled:
        endpoint.enable()
    elif enabled is False and endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason = False, "Turned off by its owner."
        endpoint.save(update_fields=["enabled", "disabled_reason"])
    return endpoint


def rotate_secret(endpoint: WebhookEndpoint) -> str:
    """A new secret for ``endpoint``; messages sent from now on are signed with it."""
    return endpoint.rotate_secret()


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint with its messages and their attempts (a queued attempt finds it gone)."""
    endpoint.delete()


def _now_text() -> str:
    # As DRF writes every other time in the API (ISO 8601, "Z" for UTC).
    return serializers.DateTimeField().to_representation(timezone.now())


def item_data(media_id) -> dict:
    """The item as GET /api/media/<id>/ returns it (its URLs made absolute from FER_SITE_URL: a worker
    has no request)."""
    media = Media.objects.select_related("annotated_copy", "anonymized_copy").with_photo_faces().get(pk=media_id)
    return MediaSerializer(media, context={"request": None}).data


def _record(endpoint: WebhookEndpoint, event: str, body: bytes) -> WebhookMessage:
    message = WebhookMessage.objects.create(
        endpoint=endpoint, event=event, body=body.decode("utf-8"), heartbeat_at=timezone.now()
    )
    dispatch.deliver_webhook(message.pk)  # once the transaction commits
    return message


def emit(event: str, media_id, user_id) -> list[WebhookMessage]:
    """Record ``event`` about an item for each of its owner's endpoints that wants it, and send them
    once the current transaction commits."""
    return emit_data(event, user_id, lambda: item_data(media_id))


def emit_data(event: str, user_id, data) -> list[WebhookMessage]:
    """Record ``event`` with the body's ``data`` (a callable, called only when some endpoint wants it)
    for each of the user's endpoints that wants it; sent once the current transaction commits."""
    # In Python: at most 10 endpoints a user, and SQLite has no JSON "contains".
    enabled = WebhookEndpoint.objects.filter(user_id=user_id, enabled=True)
    endpoints = [endpoint for endpoint in enabled if event in endpoint.events]
    if not endpoints:
        return []
    body = JSONRenderer().render({"type": event, "timestamp": _now_text(), "data": data()})
    return [_record(endpoint, event, body) for endpoint in endpoints]


@receiver(job_finished, dispatch_uid="analysis.webhooks")
def _job_finished(sender, job, **kwargs) -> None:
    if sender is Media:
        event = MEDIA_EVENTS.get(job.status)
        if event:
            emit(event, job.pk, job.user_id)
    elif sender is AnnotatedCopy and job.status == JobStatus.DONE:
        emit(WebhookEvent.ANNOTATED_DONE, job.media_id, Media.objects.values_list("user_id", flat=True).get(pk=job.pk))


def send_test(endpoint: WebhookEndpoint) -> WebhookMessage:
    """Send a ``webhook.test`` event to ``endpoint`` now (signed as any other)."""
    if not endpoint.enabled:
        raise WebhookRejected("This endpoint is disabled; turn it on first.")
    data = {"endpoint": str(endpoint.pk), "message": "A test event: the signature checks out if you can read this."}
    body = JSONRenderer().render({"type": TEST_EVENT, "timestamp": _now_text(), "data": data})
    with transaction.atomic():
        return _record(endpoint, TEST_EVENT, body)


def redeliver(delivery: WebhookDelivery) -> WebhookMessage:
    """Send an attempt's message again, with the same webhook-id and body and all its attempts."""
    message = delivery.message
    if not delivery.endpoint.enabled:
        raise WebhookRejected("This endpoint is disabled; turn it on first.")
    with transaction.atomic():
        if not message.resend():
            raise WebhookRejected("This message is being sent right now.")
        dispatch.deliver_webhook(message.pk)
    return message


def recent_deliveries(endpoint: WebhookEndpoint, count: int = 5) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.select_related("message")[:count])
