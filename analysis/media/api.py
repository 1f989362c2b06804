"""REST API: token auth, upload, list, detail and delete of the caller's media (see README.md)."""

import django_filters
from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

import ml
from accounts import ratelimit
from analysis import activity, exports, idempotency, services
from analysis.models import AnonymizedCopy, Detection, Media
from analysis.privacy_models import InvalidKeepMedia, parse_keep_media
from ml.summary import ROW_FIELDS, TRACK_FIELDS
from ml.video_io import duration_text


class DetectionSerializer(serializers.ModelSerializer):
    """A face at a time, the one result shape: one sampled frame (frame 0 for a photo) and face;
    track, box and probabilities are null for a sampled frame with no face."""

    box = serializers.ListField(child=serializers.IntegerField(), allow_null=True, read_only=True)
    probabilities = serializers.DictField(child=serializers.FloatField(), allow_null=True, read_only=True)
    confidence = serializers.FloatField(
        read_only=True, allow_null=True, help_text="The top emotion's probability; null without a face."
    )
    uncertain = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="True when the top emotion is as likely wrong as right (calibrated confidence); null without a face.",
    )

    class Meta:
        model = Detection
        fields = [*ROW_FIELDS, "confidence", "uncertain"]


class FaceSerializer(DetectionSerializer):
    """A photo's face: the detection's picture-only fields."""

    box = serializers.ListField(child=serializers.IntegerField(), min_length=4, max_length=4, read_only=True)
    probabilities = serializers.DictField(child=serializers.FloatField(), read_only=True)
    confidence = serializers.FloatField(read_only=True, help_text="The top emotion's probability.")
    uncertain = serializers.BooleanField(
        read_only=True, help_text="True when the top emotion is as likely wrong as right (calibrated confidence)."
    )

    class Meta(DetectionSerializer.Meta):
        fields = ["box", "probabilities", "emotion", "confidence", "uncertain"]


class SummarySerializer(serializers.Serializer):
    face_count = serializers.IntegerField(allow_null=True)
    dominant_emotion = serializers.CharField(allow_blank=True)
    model_version = serializers.CharField(allow_blank=True)
    timings = serializers.DictField(child=serializers.FloatField())
    original_name = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    bytes = serializers.IntegerField(allow_null=True)
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    file = serializers.CharField(source="original_url", help_text="Owner-only URL of the stored photo.")
    thumbnail = serializers.CharField(source="thumbnail_url", help_text="Owner-only URL of the thumbnail.")
    keep_media = serializers.CharField(help_text="Retention: always, results_only or days:N.")
    media_deleted_at = serializers.DateTimeField(allow_null=True, help_text="When retention deleted the media.")


class TrackSerializer(serializers.Serializer):
    track = serializers.IntegerField()
    first_timestamp_ms = serializers.IntegerField()
    last_timestamp_ms = serializers.IntegerField()
    dominant_emotion = serializers.CharField(allow_blank=True)
    shares = serializers.DictField(child=serializers.FloatField(), help_text="Share of detections per emotion.")


assert tuple(TrackSerializer().fields) == TRACK_FIELDS  # the names are ml.video's


class MediaSerializer(serializers.ModelSerializer):
    """A photo or a clip. A clip (kind video) also has duration_ms, people, tracks, partial,
    detections_url, player (the browser-playable copy) and exports."""

    summary = SummarySerializer(source="*", read_only=True)
    faces = FaceSerializer(source="photo_faces", many=True, read_only=True, help_text="A photo's faces; [] for a clip.")

    class Meta:
        model = Media
        fields = ["id", "kind", "status", "error", "progress", "summary", "faces"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if instance.kind == Media.Kind.VIDEO:
            data.update(clip_fields(instance, request))
        if instance.kind in (Media.Kind.PHOTO, Media.Kind.VIDEO):
            data["anonymized"] = anonymized_fields(instance)
        return data


def anonymized_fields(media: Media) -> dict:
    """The item's blurred copy: its status ("" when never asked for), file URL and where to ask for it.
    Site-relative paths, as the summary's file and thumbnail, so a webhook's body equals the API's."""
    copy = AnonymizedCopy.objects.of(media)
    url = reverse("files:anonymized", args=[media.pk]) if media.anonymized_file else ""
    request_url = reverse("api:media-anonymized", args=[media.pk])
    return {"status": copy.status if copy else "", "url": url, "request": request_url}


def clip_fields(media: Media, request=None) -> dict:
    """What a clip adds to its API item; URLs absolute when there is a request."""

    def url(name: str, path: str = "") -> str:
        relative = path or reverse(f"api:media-{name}", args=[media.pk])
        return request.build_absolute_uri(relative) if request is not None else relative

    annotated = media.annotated_url()
    return {
        "duration_ms": media.duration_ms,
        "fps": media.fps,
        "sample_fps": media.sample_fps,
        "people": media.people,
        # Through the serializer: PostgreSQL's jsonb does not keep the keys in their documented order.
        "tracks": TrackSerializer(media.tracks, many=True).data,
        "partial": media.partial,
        "detections_url": url("detections"),
        "player": url("", media.playable_url()) if media.playable else "",
        "exports": {
            "csv": url("export-csv"),
            "json": url("export-json"),
            "annotated": {
                "status": media.annotated_status,
                "url": url("", annotated) if annotated else "",
                "request": url("annotated"),
            },
        },
    }


class DetectionPagination(PageNumberPagination):
    # A minute of video at 5 frames a second with two people is about 600 rows.
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP photo, or an MP4, MOV, WebM or AVI clip.")
    sample_fps = serializers.FloatField(
        required=False, min_value=0.1, max_value=120, help_text="Clips: frames analysed per second (default 5)."
    )
    every_frame = serializers.BooleanField(required=False, default=False, help_text="Clips: analyse every frame.")
    keep_media = serializers.CharField(
        required=False, help_text="This item's retention (always, results_only or days:N); default: your own."
    )

    def validate_keep_media(self, value):
        try:
            return parse_keep_media(value)
        except InvalidKeepMedia as exc:
            raise serializers.ValidationError(str(exc)) from None


class AcceptedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    url = serializers.CharField(help_text="Poll this URL until status is done or failed.")


class MediaFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Media.Status.choices)
    emotion = django_filters.ChoiceFilter(
        field_name="dominant_emotion", choices=[(name, name) for name in ml.EMOTIONS], label="Dominant emotion"
    )
    kind = django_filters.ChoiceFilter(choices=Media.Kind.choices)
    date = django_filters.DateFilter(field_name="created_at", lookup_expr="date", label="Uploaded on (YYYY-MM-DD)")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    # The gallery page's older names for the two above (analysis.forms.DATE_ALIASES).
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="Alias of created_after")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="Alias of created_before")

    class Meta:
        model = Media
        fields = ["status", "emotion", "kind", "date", "created_after", "created_before", "since", "until"]


class UploadThrottle(UserRateThrottle):
    """Per-user upload rate (FER_UPLOAD_RATE); reading is not throttled."""

    scope = "uploads"

    def get_rate(self):
        # Read at request time (DRF reads its rate table once at import), so settings can change it.
        return settings.FER_UPLOAD_RATE

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


class MediaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's media, newest first. Another user's item is 404, as if it did not exist."""

    serializer_class = MediaSerializer
    filterset_class = MediaFilter
    throttle_classes = [UploadThrottle]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    # One query for the page, one for all its faces, whatever the page size.
    queryset = Media.objects.none()

    def get_queryset(self):
        # The id breaks ties between equal timestamps, so pages never repeat or skip an item.
        items = Media.objects.for_user(self.request.user).select_related("annotated_copy", "anonymized_copy")
        items = items.with_photo_faces()
        return items.order_by("-created_at", "-id")

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            202: AcceptedSerializer,
            400: OpenApiResponse(
                inline_serializer("UploadRejected", {"file": serializers.ListField(child=serializers.CharField())}),
                description="The file was rejected; the message says why. Nothing was stored.",
            ),
            429: OpenApiResponse(description="Too many uploads; retry after the Retry-After header's seconds."),
            **idempotency.RESPONSES,
        },
        parameters=[idempotency.PARAMETER],
    )
    def create(self, request):
        """Upload one photo or clip; it is analysed in the background."""
        return idempotency.handle(request, lambda: self._upload(request))

    def _upload(self, request):
        # A serializer's FileField takes the last of several parts named `file` and drops the others
        # without a word: refuse instead, before anything is stored.
        parts = len(request.FILES.getlist("file"))
        if parts > 1:
            message = f"Send one file per request; this one has {parts} parts named file. Nothing was stored."
            return Response({"file": [message]}, status=status.HTTP_400_BAD_REQUEST)
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            options = upload.validated_data
            sample_fps = 0.0 if options.get("every_frame") else options.get("sample_fps")
            media = services.create_media(
                request.user, options["file"], sample_fps=sample_fps, keep_media=options.get("keep_media")
            )
        except services.UploadRejected as exc:
            return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        activity.record(request, activity.Action.MEDIA_UPLOADED, str(media.pk))
        url = request.build_absolute_uri(reverse("api:media-detail", args=[media.pk]))
        return Response(
            {"id": str(media.pk), "status": media.status, "url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    def perform_destroy(self, instance):
        pk = instance.pk
        services.delete_media(instance)
        activity.record(self.request, activity.Action.MEDIA_DELETED, str(pk))

    def _clip(self) -> Media:
        # The same per-user queryset as every other read: another user's clip is a 404.
        return self.get_object()

    @extend_schema(responses=DetectionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=DetectionPagination)
    def detections(self, request, pk=None):
        """The item's detections in frame order: a clip's one per sampled frame and face, and one per
        frame with no face; a photo's faces (frame 0); a live recording's one per second."""
        media = self._clip()
        page = self.paginate_queryset(media.detections.order_by("frame", "track"))
        return self.get_paginated_response(DetectionSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={
            202: MediaSerializer,
            409: OpenApiResponse(
                MediaSerializer, description="It had finished already: the item, with `detail` saying so."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Stop a queued or running analysis; a clip keeps the detections made so far (partial)."""
        media = self._clip()
        cancelled = services.cancel_media(media)
        body = MediaSerializer(media, context={"request": request}).data
        if cancelled:
            return Response(body, status=status.HTTP_202_ACCEPTED)
        detail = f"The analysis has finished already ({media.status}); only a queued or running one can be cancelled."
        return Response({"detail": detail, **body}, status=status.HTTP_409_CONFLICT)

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"], url_path=r"export\.csv", url_name="export-csv")
    def export_csv(self, request, pk=None):
        """The item's detections as CSV: frame, timestamp_ms, track, x, y, w, h, emotion and the 7 probabilities."""
        media = self._clip()
        response = StreamingHttpResponse(exports.csv_lines(media), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, media.download_name("detections", "csv"))
        return response

    @extend_schema(responses={(200, "application/json"): DetectionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path=r"export\.json", url_name="export-json")
    def export_json(self, request, pk=None):
        """The item's tracks and all its detections as one JSON document (streamed)."""
        media = self._clip()
        response = StreamingHttpResponse(exports.json_chunks(media, TrackSerializer), content_type="application/json")
        response["Content-Disposition"] = content_disposition_header(True, media.download_name("detections", "json"))
        return response

    @extend_schema(request=None, responses={200: dict, 202: dict})
    @action(detail=True, methods=["get", "post"])
    def annotated(self, request, pk=None):
        """GET: whether the annotated MP4 is ready and its URL. POST: ask for it to be made."""
        media = self._clip()
        code = status.HTTP_200_OK
        if request.method == "POST":
            if media.kind != Media.Kind.VIDEO or not media.is_final or media.status == Media.Status.FAILED:
                return Response({"detail": "Only an analysed clip has an annotated copy."}, status=409)
            if services.request_annotated(media):
                code = status.HTTP_202_ACCEPTED
        return Response(clip_fields(media, request)["exports"]["annotated"], status=code)


class TokenThrottle(SimpleRateThrottle):
    """Per client address, so password guessing through the API is as slow as through the log-in page."""

    scope = "token"

    def get_rate(self):
        return settings.FER_TOKEN_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ObtainTokenView(ObtainAuthToken):
    """Exchange a username and password (form or JSON) for the user's API token."""

    throttle_classes = [TokenThrottle]
    parser_classes = [parsers.FormParser, parsers.MultiPartParser, parsers.JSONParser]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request, *args, **kwargs):
        # Past the failed log-in limit the backend refuses even the right password; say so with 429,
        # as the log-in page does, rather than DRF's 400 "Unable to log in".
        data = request.data if hasattr(request.data, "get") else {}  # a JSON list has no fields
        username = str(data.get("username") or "")
        address = ratelimit.client_address(request)
        if username and ratelimit.is_blocked(username, address):
            wait = ratelimit.retry_after_s(username, address)
            detail = (
                "Too many failed log-in attempts for this account from your address. "
                f"Wait {duration_text(wait)} and try again, or reset your password."
            )
            return Response({"detail": detail}, status=429, headers={"Retry-After": str(wait)})
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, created = Token.objects.get_or_create(user=user)
        if created:
            activity.record(request, activity.Action.TOKEN_CREATED, "through the API", user=user)
        return Response({"token": token.key})
