"""Idempotent uploads (issue 15): ``POST /api/media/`` (and an archive into a collection,
``POST /api/collections/<id>/archive/``) with an ``Idempotency-Key`` header answers a
repeat of the same request (same user, key, file and options, within 24 hours) with the first one's
status and body, storing nothing new; the same key with another file or other options is 422, and a
repeat after the item was deleted is 410.

The key is reserved (a committed row) before the upload is stored, so a repeat that arrives while the
first request still runs waits for its answer instead of storing a second copy.
"""

import hashlib
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from analysis.media.models import Media

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# How long a key is remembered: a client retrying after a time-out does so within seconds or minutes.
KEY_LIFETIME = timedelta(hours=24)
# How long a repeat waits for the first request (still storing its file) before answering 409.
WAIT_S = 10.0

PARAMETER = OpenApiParameter(
    HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 255 characters, unique per upload. A repeat from the same user with the same key within "
        "24 hours answers the first request's status and body and stores nothing new, so a client that "
        "timed out or got a 5xx can simply retry. The same key with a different file or different options "
        "(sample_fps, every_frame, keep_media) is 422; a repeat after the item was deleted is 410."
    ),
)
RESPONSES = {
    409: OpenApiResponse(description="A request with this Idempotency-Key is still being stored; retry shortly."),
    410: OpenApiResponse(description="The item this Idempotency-Key made was deleted since; use a new key."),
    422: OpenApiResponse(
        description="This Idempotency-Key was used for a different file or options in the last 24 hours."
    ),
}


class IdempotentUpload(models.Model):
    """A user's Idempotency-Key and the answer given to its first request."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=MAX_KEY_LENGTH)
    # SHA-256 of the file and the options, so that a different request under the same key is told apart.
    fingerprint = models.CharField(max_length=64)
    # None while the first request is still running.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_idempotent_upload_per_key")]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.key} of {self.user_id} ({self.status_code})"


def fingerprint(request, scope: str = "") -> str:
    """SHA-256 over the uploaded file's bytes and the upload's options (and ``scope``: where it goes)."""
    digest = hashlib.sha256()
    if scope:
        digest.update(f"scope={scope}\n".encode())
    for name in ("sample_fps", "every_frame", "keep_media"):
        digest.update(f"{name}={request.data.get(name, '')}\n".encode())
    upload = request.FILES.get("file")
    if upload is not None:
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return digest.hexdigest()


def _reserve(user, key: str, print_: str) -> tuple[IdempotentUpload, bool]:
    """The key's row, and whether this request made it (and so runs the upload)."""
    IdempotentUpload.objects.filter(user=user, created_at__lt=timezone.now() - KEY_LIFETIME).delete()
    try:
        with transaction.atomic():
            return IdempotentUpload.objects.create(user=user, key=key, fingerprint=print_), True
    except IntegrityError:
        # Another request has the key (committed: the reservation is its own transaction).
        return IdempotentUpload.objects.get(user=user, key=key), False


def _answer(record: IdempotentUpload) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    if isinstance(record.body, dict) and record.body.get("url"):
        headers["Location"] = record.body["url"]
    return Response(record.body, status=record.status_code, headers=headers)


def _item_gone(user, record: IdempotentUpload) -> bool:
    """Whether the first answer named an item that no longer exists (a replay would point at a 404)."""
    item = record.body.get("id") if isinstance(record.body, dict) else None
    return item is not None and not Media.objects.filter(user=user, pk=item).exists()


def handle(request, upload, scope: str = "") -> Response:
    """Run ``upload()`` (the view's work, a Response) once per Idempotency-Key, replaying its answer.
    ``scope`` tells uploads of the same file to different places apart (an archive's collection)."""
    key = request.headers.get(HEADER)
    if key is None:
        return upload()
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        detail = f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters."
        return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)
    print_ = fingerprint(request, scope)
    record, mine = _reserve(request.user, key, print_)
    if not mine:
        if record.fingerprint != print_:
            detail = (
                f"This {HEADER} was used for a different file or different options (sample_fps, every_frame, "
                "keep_media) in the last 24 hours; use a new key."
            )
            return Response({"detail": detail}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        deadline = time.monotonic() + WAIT_S
        while record.status_code is None and time.monotonic() < deadline:
            time.sleep(0.2)
            record = IdempotentUpload.objects.filter(pk=record.pk).first() or record
        if record.status_code is None:
            detail = f"The first request with this {HEADER} is still being stored; retry shortly."
            return Response({"detail": detail}, status=status.HTTP_409_CONFLICT, headers={"Retry-After": "1"})
        if _item_gone(request.user, record):
            detail = f"The item this {HEADER} made was deleted since; use a new key to upload it again."
            return Response({"detail": detail}, status=status.HTTP_410_GONE)
        return _answer(record)
    try:
        response = upload()
    except BaseException:
        # A 5xx: nothing was answered, so the key is free for the client's retry.
        record.delete()
        raise
    if 200 <= response.status_code < 300:
        record.status_code, record.body = response.status_code, response.data
        record.save(update_fields=["status_code", "body"])
    else:
        # Refused (nothing stored): a retry is checked afresh, with the same key or another file.
        record.delete()
    return response
