"""Webhook endpoints, the messages sent to them and each attempt at sending one (issue 15).

A message is an analysis.jobs.Job like an analysis: claimed by a worker with a conditional UPDATE,
counted, swept when its worker died, finished done or failed. Between attempts it waits queued, with
``next_attempt_at`` saying when the next one is due (a claim before then is refused).
"""

import base64
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from analysis.jobs import dispatch
from analysis.jobs.lifecycle import FINAL_STATES, Job, JobQuerySet


class WebhookEvent(models.TextChoices):
    MEDIA_DONE = "media.done"
    MEDIA_FAILED = "media.failed"
    MEDIA_CANCELLED = "media.cancelled"
    ANNOTATED_DONE = "annotated.done"
    # Every item of a ZIP uploaded into a collection has ended (analysis.collections.services).
    COLLECTION_DONE = "collection.done"


# What "send a test event" sends; never subscribed to, so never sent by a job.
TEST_EVENT = "webhook.test"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 32 random bytes (the HMAC key)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def new_webhook_id() -> str:
    """The ``webhook-id`` of one message: unique, and the same at every attempt to send it."""
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpointQuerySet(models.QuerySet):
    def for_user(self, user) -> "WebhookEndpointQuerySet":
        """The one way per-user reads start: another user's endpoint is then a 404."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class WebhookEndpoint(models.Model):
    """A URL of a user's that is told, signed, when their jobs end."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="WebhookEvent values this endpoint is sent.")
    secret = models.CharField(max_length=100, default=new_secret)
    # The secret a rotation replaced, still signing beside the new one until previous_secret_until, so a
    # receiver can switch to the new one without a window of rejected messages.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.TextField(blank=True)
    # Since the first failed attempt after the last success; None while the endpoint answers.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"webhook {self.url} of {self.user_id}"

    def _this(self) -> models.QuerySet:
        return WebhookEndpoint.objects.filter(pk=self.pk)

    def record_success(self) -> None:
        self._this().exclude(failing_since=None).update(failing_since=None)

    def record_failure(self, reason: str) -> bool:
        """Note a failed attempt; True when the endpoint has now failed long enough to be disabled."""
        now = timezone.now()
        with transaction.atomic():
            self._this().filter(failing_since=None).update(failing_since=now)
            self.refresh_from_db(fields=["failing_since", "enabled", "disabled_reason"])
            limit = timedelta(seconds=settings.FER_WEBHOOK_DISABLE_AFTER_S)
            if not self.enabled or self.failing_since is None or now - self.failing_since < limit:
                return False
            days = settings.FER_WEBHOOK_DISABLE_AFTER_S / 86400
            self.enabled = False
            self.disabled_reason = (
                f"Disabled on {now:%d %b %Y %H:%M} UTC: every delivery failed for {days:g} days "
                f"(since {self.failing_since:%d %b %Y %H:%M} UTC). The last attempt: {reason}"
            )
            self.save(update_fields=["enabled", "disabled_reason"])
        return True

    def enable(self) -> None:
        """Turn a disabled endpoint back on, forgetting its failures."""
        self.enabled, self.disabled_reason, self.failing_since = True, "", None
        self.save(update_fields=["enabled", "disabled_reason", "failing_since"])

    def rotate_secret(self) -> str:
        """A new secret, in force from this commit on; the one it replaces signs beside it for
        FER_WEBHOOK_SECRET_OVERLAP_S more (a secret replaced before is dropped at once)."""
        overlap = timedelta(seconds=settings.FER_WEBHOOK_SECRET_OVERLAP_S)
        self.previous_secret, self.previous_secret_until = (
            (self.secret, timezone.now() + overlap) if overlap else ("", None)
        )
        self.secret = new_secret()
        self.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        return self.secret

    def signing_secrets(self) -> list[str]:
        """The secrets a message is signed with now: the current one, and the one it replaced while
        that still overlaps."""
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > timezone.now():
            return [self.secret, self.previous_secret]
        return [self.secret]


# How long a message that has ended (sent, or out of attempts) is kept with its attempts: its body is a
# copy of the item's results, so it should not outlive the reason to look at a delivery.
WEBHOOK_MESSAGES_KEPT = timedelta(days=30)


class WebhookMessageQuerySet(JobQuerySet):
    def past_keeping(self) -> "WebhookMessageQuerySet":
        """Messages that ended more than WEBHOOK_MESSAGES_KEPT ago."""
        return self.filter(status__in=FINAL_STATES, finished_at__lt=timezone.now() - WEBHOOK_MESSAGES_KEPT)


class WebhookMessage(Job):
    """One event for one endpoint: its body, fixed at the event, sent until a 2xx or out of attempts."""

    NOUN = "webhook delivery"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    webhook_id = models.CharField(max_length=40, unique=True, default=new_webhook_id)
    event = models.CharField(max_length=40)
    # The exact bytes (UTF-8 JSON) sent at every attempt; each attempt signs them with its own timestamp.
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    objects = WebhookMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.event} {self.webhook_id} ({self.status})"

    def enqueue(self) -> None:
        dispatch.deliver_webhook(self.pk)

    @classmethod
    def max_attempts(cls) -> int:
        return settings.FER_WEBHOOK_MAX_ATTEMPTS

    def _claim_filter(self) -> Q:
        # A re-sent or early message is not an early attempt: the retry's time must have come.
        return Q(next_attempt_at__lte=timezone.now())

    @property
    def out_of_attempts(self) -> bool:
        # Unlike an analysis, re-sending a lost message does not count as an attempt: only a claim does.
        return self.attempts >= self.max_attempts()

    def requeue_stale(self) -> bool:
        """Send again a message whose worker died mid-attempt, or whose task was lost (the sweeper)."""
        now = timezone.now()
        requeued = self._as_seen().update(status=self.Status.QUEUED, heartbeat_at=now, progress=0.0)
        if requeued:
            self.status, self.heartbeat_at = self.Status.QUEUED, now
        return requeued == 1

    def schedule_retry(self, delay_s: float, *, sent_now: bool) -> bool:
        """Wait ``delay_s`` before the next attempt; False when the message is no longer ours.

        ``sent_now``: the task is sent with that countdown. Otherwise (a wait too long for a broker's
        countdown) the heartbeat is set so that the sweeper finds it queued too long just when it is
        due, and sends it then.
        """
        due = timezone.now() + timedelta(seconds=delay_s)
        beat = due if sent_now else due - timedelta(seconds=settings.FER_JOB_QUEUED_SECONDS)
        updated = (
            self._this()
            .filter(status=self.Status.PROCESSING)
            .update(status=self.Status.QUEUED, next_attempt_at=due, heartbeat_at=beat, progress=0.0)
        )
        if updated:
            self.status, self.next_attempt_at, self.heartbeat_at = self.Status.QUEUED, due, beat
        return updated == 1

    def mark_done(self) -> bool:
        """The endpoint answered 2xx; False when the message is gone or finished meanwhile."""
        with transaction.atomic():
            if not self._lock_unfinished():
                return False
            self._save_done()
        return True

    def resend(self) -> bool:
        """Queue a finished (or waiting) message again with all its attempts (redeliver); the caller sends it."""
        with transaction.atomic():
            restarted = self.restart(only_from=[*self.FINAL_STATES, self.Status.QUEUED])
            if restarted:
                self.next_attempt_at = timezone.now()
                self.save(update_fields=["next_attempt_at"])
        return restarted


class WebhookDelivery(models.Model):
    """One attempt at sending a message: what the endpoint answered, or why there was no answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    # The message's endpoint, kept here so an endpoint's attempts are listed with one indexed query.
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    attempt = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-attempt"]
        indexes = [models.Index(fields=["endpoint", "-created_at"])]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"attempt {self.attempt} of {self.message_id}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
