"""Webhooks, the worker side: one attempt at sending one message, and what follows from its answer
(done; a retry after an exponential, jittered wait or the endpoint's Retry-After; failed for good;
the endpoint disabled after FER_WEBHOOK_DISABLE_AFTER_S of failures)."""

import email.utils
import logging
import random
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError
from django.utils import timezone

from analysis.jobs import dispatch
from analysis.webhooks import http_client as webhook_http
from analysis.webhooks.models import WebhookDelivery, WebhookMessage

logger = logging.getLogger(__name__)

# Each wait is this many times the one before: with a 5 s base and 8 attempts, the seven waits add up
# to about a day (5 s, 25 s, 2 min, 10 min, 52 min, 4.3 h, 21.7 h), the "about a day" of issue 15.
BACKOFF_FACTOR = 5
# +-25%, so endpoints that failed together (an outage) are not all retried in the same second.
JITTER = 0.25
# No wait, computed or asked for by Retry-After, is longer than a day.
MAX_DELAY_S = 24 * 3600
# A message held back for fairness is looked at again after about this long (jittered): short beside
# a slow endpoint's time-out, so it goes soon after a place frees, long enough not to churn the queue.
FAIR_WAIT_S = 3.0


def backoff_s(attempt: int) -> float:
    """The wait after failed attempt number ``attempt`` (1 is the first), jitter included."""
    base = settings.FER_WEBHOOK_RETRY_BASE_S * BACKOFF_FACTOR ** (attempt - 1)
    return min(MAX_DELAY_S, base * random.uniform(1 - JITTER, 1 + JITTER))


def retry_after_s(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number of seconds or an HTTP date); None if none."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def signed_headers(message: WebhookMessage, body: bytes) -> dict:
    """The Standard Webhooks headers of one attempt: the message's id, this attempt's timestamp."""
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": "Facet-Webhooks/1",
        "webhook-id": message.webhook_id,
        "webhook-timestamp": str(timestamp),
        # One signature per secret in force, space-separated, as Standard Webhooks allows for rotation.
        "webhook-signature": " ".join(
            webhook_http.sign(secret, message.webhook_id, timestamp, body)
            for secret in message.endpoint.signing_secrets()
        ),
    }


def in_flight_elsewhere(message: WebhookMessage) -> bool:
    """Whether the message's endpoint, or its owner, has as many attempts in flight as allowed
    (FER_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT, _PER_USER). An attempt whose worker died (a stale
    heartbeat) does not count. A bound, not a lock: two workers checking at once may both go."""
    fresh = timezone.now() - timedelta(seconds=settings.FER_JOB_STALE_SECONDS)
    sending = WebhookMessage.objects.filter(status=WebhookMessage.Status.PROCESSING, heartbeat_at__gte=fresh)
    endpoint = message.endpoint
    if sending.filter(endpoint=endpoint).count() >= settings.FER_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT:
        return True
    return sending.filter(endpoint__user_id=endpoint.user_id).count() >= settings.FER_WEBHOOK_MAX_IN_FLIGHT_PER_USER


def hold_back(message: WebhookMessage) -> None:
    """Leave the message queued for a few seconds more, no attempt used, and look again then: the
    worker is free at once for another user's message instead of waiting on this endpoint."""
    delay = FAIR_WAIT_S * random.uniform(0.5, 1.5)
    now = timezone.now()
    # The heartbeat too: the sweeper counts a queued message's wait from it.
    held = WebhookMessage.objects.filter(pk=message.pk, status=WebhookMessage.Status.QUEUED).update(
        next_attempt_at=now + timedelta(seconds=delay), heartbeat_at=now
    )
    if held:
        dispatch.deliver_webhook(message.pk, countdown_s=delay)


def deliver(message_id) -> None:
    """Make one attempt at sending a queued webhook message, and record it (worker only)."""
    message = WebhookMessage.objects.select_related("endpoint").filter(pk=message_id).first()
    if message is None:  # its endpoint was deleted
        return
    if not message.endpoint.enabled:
        message.mark_failed("Not sent: the endpoint is disabled.")
        return
    due = message.status == WebhookMessage.Status.QUEUED and message.next_attempt_at <= timezone.now()
    if due and in_flight_elsewhere(message):
        hold_back(message)
        return
    if not message.mark_processing():  # sent already, not due yet, or another worker has it
        return
    body = message.body.encode("utf-8")
    reply = webhook_http.post(
        message.endpoint.url, body, signed_headers(message, body), timeout_s=settings.FER_WEBHOOK_TIMEOUT_S
    )
    delivery = WebhookDelivery(
        message=message,
        endpoint=message.endpoint,
        attempt=message.attempts,
        status_code=reply.status,
        duration_ms=reply.duration_ms,
        error=reply.error[:500],
    )
    try:
        _finish(message, delivery, reply)
    except (IntegrityError, ObjectDoesNotExist):
        # The endpoint (and so the message) was deleted while we sent: nothing is left to record.
        logger.info("Webhook %s: its endpoint was deleted during the attempt", message.webhook_id)


def _finish(message: WebhookMessage, delivery: WebhookDelivery, reply: webhook_http.Reply) -> None:
    """Record the attempt, and mark the message done, failed, or waiting for its retry."""
    if reply.succeeded:
        delivery.save()
        message.endpoint.record_success()
        message.mark_done()
        return
    logger.info("Webhook %s attempt %s failed: %s", message.webhook_id, message.attempts, reply.error)
    if reply.refused:
        # The destination is one webhooks may not reach (its name now resolves to a private address):
        # no retry can succeed, and it says nothing about the endpoint being down, so it fails now
        # without counting towards disabling.
        delivery.save()
        message.mark_failed(f"Not delivered: {reply.error}")
        return
    disabled = message.endpoint.record_failure(reply.error)
    if disabled or message.out_of_attempts:
        delivery.save()
        reason = "the endpoint was disabled" if disabled else f"{message.attempts} attempts failed"
        message.mark_failed(f"Not delivered: {reason}. The last attempt: {reply.error}")
        return
    delay = backoff_s(message.attempts)
    asked = retry_after_s(reply.headers.get("retry-after"))
    if asked is not None:
        # The endpoint knows when it will be back (429, 503): never sooner than it asks.
        delay = min(MAX_DELAY_S, max(delay, asked))
    delivery.next_retry_at = timezone.now() + timedelta(seconds=delay)
    delivery.save()
    countdown = delay <= dispatch.MAX_COUNTDOWN_S
    if message.schedule_retry(delay, sent_now=countdown) and countdown:
        dispatch.deliver_webhook(message.pk, countdown_s=delay)
