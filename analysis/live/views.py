"""Live mode's endpoint (POST /api/live/), page (/live/) and recording save; the work is in analysis.live."""

import json
import logging
import math

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

import ml
from analysis.live import frames as live
from analysis.live import recordings
from analysis.media import activity

logger = logging.getLogger(__name__)


class LiveThrottle(UserRateThrottle):
    """Per-user frame rate (FER_LIVE_RATE), counted apart from uploads."""

    scope = "live"

    def get_rate(self):
        # Read at request time (DRF reads its rate table once at import), so settings can change it.
        return settings.FER_LIVE_RATE


class RecordingThrottle(UserRateThrottle):
    """Per-user saves of live recordings (FER_RECORDING_RATE): each may add an hour of rows."""

    scope = "recordings"

    def get_rate(self):
        return settings.FER_RECORDING_RATE


class FrameSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="One JPEG, PNG or WebP frame, at most 640 x 640 pixels and 256 KB.")


class LiveFaceSerializer(serializers.Serializer):
    box = serializers.ListField(child=serializers.IntegerField(), min_length=4, max_length=4)
    probabilities = serializers.DictField(child=serializers.FloatField())
    emotion = serializers.CharField()
    confidence = serializers.FloatField()
    uncertain = serializers.BooleanField(help_text="The top emotion is as likely wrong as right.")


class LiveReplySerializer(serializers.Serializer):
    faces = LiveFaceSerializer(many=True)
    timings_ms = serializers.DictField(child=serializers.FloatField())


class LiveFrameView(APIView):
    """Analyse one camera frame now; nothing about it is stored."""

    throttle_classes = [LiveThrottle]
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": FrameSerializer},
        responses={
            200: LiveReplySerializer,
            400: OpenApiResponse(
                inline_serializer("FrameRejected", {"file": serializers.ListField(child=serializers.CharField())}),
                description="The frame was refused; the message says why.",
            ),
            429: OpenApiResponse(description="Over the per-user frame rate; retry after Retry-After seconds."),
            503: OpenApiResponse(
                inline_serializer("LiveBusy", {"detail": serializers.CharField()}),
                description="No worker answered within the deadline, or the broker is unreachable: "
                '{"detail": "busy"}, with Retry-After.',
            ),
        },
    )
    def post(self, request):
        # Refuse an oversized body before reading it, so it is never spooled to a temporary file.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.FER_LIVE_MAX_BYTES + 16 * 1024:
            limit = settings.FER_LIVE_MAX_BYTES // 1024
            message = f"The frame is {math.ceil(declared / 1024)} KB; the limit is {limit} KB."
            return Response({"file": [message]}, status=status.HTTP_400_BAD_REQUEST)
        frame = FrameSerializer(data=request.data)
        frame.is_valid(raise_exception=True)
        try:
            data = live.check_frame(frame.validated_data["file"])
            reply = live.request_analysis(data)
        except live.FrameRejected as exc:
            return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        except live.WorkersBusy:
            retry = max(1, math.ceil(settings.FER_LIVE_DEADLINE_MS / 1000))
            return Response(
                {"detail": "busy"}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(retry)}
            )
        return Response(reply)


@login_required
def live_page(request):
    return render(
        request,
        "analysis/live.html",
        {"max_side": settings.FER_LIVE_MAX_SIDE, "deadline_ms": settings.FER_LIVE_DEADLINE_MS},
    )


class RecordingSecondSerializer(serializers.Serializer):
    t = serializers.IntegerField(min_value=0, help_text="Seconds since the recording started.")
    faces = serializers.IntegerField(min_value=0, max_value=100, default=0)
    frames = serializers.IntegerField(min_value=0, required=False)
    probabilities = serializers.DictField(child=serializers.FloatField(min_value=0, max_value=1), allow_null=True)

    def validate_probabilities(self, value):
        if value is not None and set(value) != set(ml.EMOTIONS):
            raise serializers.ValidationError(f"Give exactly these emotions: {', '.join(ml.EMOTIONS)}.")
        return value


class RecordingSerializer(serializers.Serializer):
    seconds = RecordingSecondSerializer(many=True, max_length=recordings.MAX_RECORDING_SECONDS)


@login_required
@require_POST
def save_recording(request):
    """Save the page's per-second summary (JSON, no pictures) as a live item; answers its page's URL."""
    # DRF's throttle on a plain view (the page posts with its session and CSRF token): the same per-user
    # counting, 429 and Retry-After as the API's uploads. Refused saves count too.
    throttle = RecordingThrottle()
    if not throttle.allow_request(request, None):
        # Read the body first, a block at a time: answered unread, the connection has to be closed, and
        # a keep-alive client's next request on it failed (RemoteDisconnected).
        while request.read(64 * 1024):
            pass
        wait = math.ceil(throttle.wait() or 1)
        throttled = exceptions.Throttled(wait)
        return JsonResponse({"detail": str(throttled.detail)}, status=429, headers={"Retry-After": str(wait)})
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"detail": "Send the recording as JSON."}, status=400)
    recording = RecordingSerializer(data=payload)
    if not recording.is_valid():
        return JsonResponse({"detail": "The recording is malformed.", "errors": recording.errors}, status=400)
    try:
        media = recordings.save_recording(request.user, recording.validated_data["seconds"])
    except recordings.RecordingRejected as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    activity.record(request, activity.Action.LIVE_SAVED, activity.item_detail(media))
    url = reverse("analysis:detail", args=[media.pk])
    return JsonResponse({"id": str(media.pk), "url": url}, status=201)
