"""REST API of the caller's items: upload, list, detail, delete, detections, exports, cancel, the
annotated and the blurred copy (see README.md)."""

import django_filters
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

import ml
from analysis.media import activity, downloads, idempotency, services, waiting
from analysis.media.models import Media
from analysis.media.serializers import (
    AcceptedSerializer,
    DetectionSerializer,
    MediaSerializer,
    MediaUpdateSerializer,
    TrackSerializer,
    UploadSerializer,
    anonymized_fields,
    clip_fields,
)
from analysis.media.throttles import UploadThrottle


class DetectionPagination(PageNumberPagination):
    # A minute of video at 5 frames a second with two people is about 600 rows.
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000


def choice_filter(choices, **kwargs) -> django_filters.ChoiceFilter:
    """A choice filter whose 400 for an unknown value lists the valid ones."""
    valid = ", ".join(value for value, _ in choices)
    message = f"%(value)s is not one of the valid values: {valid}."
    return django_filters.ChoiceFilter(choices=choices, error_messages={"invalid_choice": message}, **kwargs)


# The pages say "clip", the API's kind is "video": the filter takes both.
KIND_ALIASES = {"clip": Media.Kind.VIDEO}


class MediaFilter(django_filters.FilterSet):
    status = choice_filter(Media.Status.choices)
    emotion = choice_filter(
        [(name, name) for name in ml.EMOTIONS], field_name="dominant_emotion", label="Dominant emotion"
    )
    kind = choice_filter(
        [*Media.Kind.choices, ("clip", "Clip (the same as video)")], method="filter_kind", label="Kind"
    )
    date = django_filters.DateFilter(field_name="created_at", lookup_expr="date", label="Uploaded on (YYYY-MM-DD)")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    # The gallery page's older names for the two above (analysis.media.forms.DATE_ALIASES).
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="Alias of created_after")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="Alias of created_before")

    class Meta:
        model = Media
        fields = ["status", "emotion", "kind", "date", "created_after", "created_before", "since", "until"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(kind=KIND_ALIASES.get(value, value))


# The longest a synchronous upload (?wait=N) holds its web thread: a photo takes about a second, and a
# client that waits longer is better served by polling or a webhook.
MAX_WAIT_S = 30


class WaitSerializer(serializers.Serializer):
    wait = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_WAIT_S,
        help_text=(
            f"Seconds (0 to {MAX_WAIT_S}) to wait for the analysis: 201 with the finished item when it ends in "
            "time, else 202 as without it. The analysis runs in a worker either way, and the item is stored "
            "and listed as any other; limits and throttles apply as to any upload."
        ),
    )


class MediaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's media, newest first. Another user's item is 404, as if it did not exist."""

    serializer_class = MediaSerializer
    filterset_class = MediaFilter
    throttle_classes = [UploadThrottle]
    # JSON for PATCH (an upload is multipart; a JSON one is then a 400 naming the missing file).
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]
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
            201: OpenApiResponse(
                MediaSerializer,
                description="With ?wait=N: the analysis ended within N seconds; the finished item (done or failed).",
            ),
            202: AcceptedSerializer,
            400: OpenApiResponse(
                inline_serializer("UploadRejected", {"file": serializers.ListField(child=serializers.CharField())}),
                description="The file was rejected; the message says why. Nothing was stored.",
            ),
            429: OpenApiResponse(description="Too many uploads; retry after the Retry-After header's seconds."),
            **idempotency.RESPONSES,
        },
        parameters=[idempotency.PARAMETER, WaitSerializer],
    )
    def create(self, request):
        """Upload one photo or clip; it is analysed in the background. With ?wait=N, the answer waits up
        to N seconds for the analysis: 201 with the finished item, or 202 as without it."""
        wait = WaitSerializer(data=request.query_params)
        wait.is_valid(raise_exception=True)  # before anything is stored
        response = idempotency.handle(request, lambda: self._upload(request))
        seconds = wait.validated_data.get("wait") or 0
        if not seconds or response.status_code != status.HTTP_202_ACCEPTED or not isinstance(response.data, dict):
            return response
        # The worker analyses it as any other upload; this request only reads the row until it ends.
        with waiting.slot(request.user.pk) as may_wait:
            media = services.wait_until_final(response.data["id"], seconds) if may_wait else None
        if media is None:
            return response
        body = MediaSerializer(media, context={"request": request}).data
        headers = {name: value for name, value in response.items() if name in ("Location", "Idempotent-Replayed")}
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)

    def _upload(self, request):
        # A serializer's FileField takes the last of several parts named `file` and drops the others
        # without a word: refuse instead, before anything is stored.
        parts = len(request.FILES.getlist("file"))
        if parts > 1:
            message = f"Send one file per request; this one has {parts} parts named file. Nothing was stored."
            return Response({"file": [message]}, status=status.HTTP_400_BAD_REQUEST)
        upload = UploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        try:
            options = upload.validated_data
            sample_fps = 0.0 if options.get("every_frame") else options.get("sample_fps")
            media = services.create_media(
                request.user,
                options["file"],
                sample_fps=sample_fps,
                keep_media=options.get("keep_media"),
                collection=options.get("collection"),
                expected_emotion=options.get("expected_emotion", ""),
            )
        except services.UploadRejected as exc:
            return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        activity.record(request, activity.Action.MEDIA_UPLOADED, activity.item_detail(media))
        url = request.build_absolute_uri(reverse("api:media-detail", args=[media.pk]))
        return Response(
            {"id": str(media.pk), "status": media.status, "url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    @extend_schema(request=MediaUpdateSerializer, responses=MediaSerializer)
    def partial_update(self, request, pk=None):
        """Set your label (``expected_emotion``) or move the item into a collection (``collection``, null: out)."""
        media = self.get_object()
        changes = MediaUpdateSerializer(data=request.data, context={"request": request})
        changes.is_valid(raise_exception=True)
        services.update_media(media, **changes.validated_data)
        return Response(MediaSerializer(media, context={"request": request}).data)

    def perform_destroy(self, instance):
        detail = activity.item_detail(instance)  # before the delete clears its id
        services.delete_media(instance)
        activity.record(self.request, activity.Action.MEDIA_DELETED, detail)

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
        response = StreamingHttpResponse(downloads.csv_lines(media), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, media.download_name("detections", "csv"))
        return response

    @extend_schema(responses={(200, "application/json"): DetectionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path=r"export\.json", url_name="export-json")
    def export_json(self, request, pk=None):
        """The item's tracks and all its detections as one JSON document (streamed)."""
        media = self._clip()
        response = StreamingHttpResponse(downloads.json_chunks(media, TrackSerializer), content_type="application/json")
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
                activity.record(request, activity.Action.COPY_REQUESTED, activity.copy_detail(media, "annotated"))
        return Response(clip_fields(media, request)["exports"]["annotated"], status=code)


class AnonymizeSerializer(serializers.Serializer):
    below_confidence = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0.0,
        max_value=1.0,
        help_text="Blur only faces whose top emotion's probability is below this; default every face.",
    )
    show_emotion = serializers.BooleanField(
        required=False, default=False, help_text="Draw the emotion on each blurred face."
    )


CopyState = inline_serializer("AnonymizedState", {"status": serializers.CharField(), "url": serializers.CharField()})


class AnonymizedView(APIView):
    """An item's blurred copy: GET its status and URL, POST to have it made (202)."""

    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]

    def _item(self, request, pk) -> Media:
        # The per-user queryset: another user's item is a 404.
        return get_object_or_404(Media.objects.for_user(request.user).select_related("anonymized_copy"), pk=pk)

    def _state(self, request, media: Media) -> dict:
        fields = anonymized_fields(media, request)
        return {"status": fields["status"], "url": fields["url"]}

    @extend_schema(responses=CopyState)
    def get(self, request, pk):
        return Response(self._state(request, self._item(request, pk)))

    @extend_schema(request=AnonymizeSerializer, responses={202: CopyState, 409: dict})
    def post(self, request, pk):
        media = self._item(request, pk)
        options = AnonymizeSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        try:
            asked = services.request_anonymized(media, **options.validated_data)
        except services.AnonymizeRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        if asked:  # not when one was on its way already: the log says what was set going
            activity.record(request, activity.Action.COPY_REQUESTED, activity.copy_detail(media, "blurred"))
        # 202 whether this request queued it or one was queued or being made already: it is on its way.
        return Response(self._state(request, media), status=status.HTTP_202_ACCEPTED)
