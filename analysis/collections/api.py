"""REST API of the caller's collections: create, list, read, rename, delete; items moved in and out;
a ZIP archive uploaded into one; labels; the summary with its evaluation; the exports (docs/api.md)."""

from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from analysis.collections import exports, services, summary
from analysis.collections.archives import LABELS_MAX_BYTES, parse_labels
from analysis.collections.models import Collection
from analysis.collections.serializers import (
    ArchiveAcceptedSerializer,
    ArchiveUploadSerializer,
    CollectionSerializer,
    CollectionSummarySerializer,
    CollectionUpdateSerializer,
    LabelsResultSerializer,
    MoveSerializer,
)
from analysis.collections.throttles import MemberThrottle
from analysis.media import activity, idempotency
from analysis.media.api import MediaFilter
from analysis.media.keep_media import InvalidKeepMedia, parse_keep_media
from analysis.media.models import Media
from analysis.media.serializers import MediaSerializer


class CSVParser(parsers.BaseParser):
    """text/csv bodies as bytes (labels.csv sent as it is), at most LABELS_MAX_BYTES + 1 read."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read(LABELS_MAX_BYTES + 1) if stream is not None else b""


Rejected = inline_serializer("CollectionRequestRejected", {"detail": serializers.CharField()})
DELETE_ITEMS = OpenApiParameter(
    "delete_items", type=bool, location=OpenApiParameter.QUERY, required=False,
    description="Delete the collection's items too (default: they stay, out of any collection).",
)  # fmt: skip


class CollectionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's collections, latest change first. Another user's collection is 404 on every URL."""

    serializer_class = CollectionSerializer
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]
    queryset = Collection.objects.none()

    def get_queryset(self):
        return Collection.objects.for_user(self.request.user).with_counts().order_by("-last_change", "-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        created = services.create_collection(self.request.user, data["name"], data.get("description", ""))
        serializer.instance = self.get_queryset().get(pk=created.pk)  # with its counts

    @extend_schema(request=CollectionUpdateSerializer, responses=CollectionSerializer)
    def partial_update(self, request, pk=None):
        """Rename or describe the collection."""
        collection = self.get_object()
        changes = CollectionUpdateSerializer(data=request.data)
        changes.is_valid(raise_exception=True)
        services.update_collection(collection, **changes.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(parameters=[DELETE_ITEMS], responses={204: None})
    def destroy(self, request, pk=None):
        """Delete the collection; its items stay unless ?delete_items=true."""
        collection = self.get_object()
        delete_items = request.query_params.get("delete_items", "").lower() in ("1", "true", "yes")
        deleted = services.delete_collection(collection, delete_items=delete_items)
        activity.record(request, activity.Action.COLLECTION_DELETED, services.deletion_detail(pk, deleted))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        responses=MediaSerializer(many=True),
        description="The collection's items, newest first, paginated and filtered as GET /api/media/.",
    )
    @extend_schema(
        methods=["POST"],
        request=MoveSerializer,
        responses={200: inline_serializer("Moved", {"moved": serializers.IntegerField()}), 400: Rejected},
        description="Move your items (ids) into the collection, out of any other.",
    )
    @extend_schema(
        methods=["DELETE"],
        request=MoveSerializer,
        responses={200: inline_serializer("Removed", {"moved": serializers.IntegerField()})},
        description="Take items (ids) out of the collection; they stay in your gallery.",
    )
    @action(detail=True, methods=["get", "post", "delete"])
    def items(self, request, pk=None):
        collection = self.get_object()
        mine = Media.objects.for_user(request.user)
        if request.method == "GET":
            items = mine.filter(collection=collection).select_related("annotated_copy", "anonymized_copy")
            filtered = MediaFilter(request.query_params, queryset=items.with_photo_faces(), request=request)
            if not filtered.is_valid():
                return Response(filtered.errors, status=status.HTTP_400_BAD_REQUEST)
            page = self.paginate_queryset(filtered.qs.order_by("-created_at", "-id"))
            return self.get_paginated_response(MediaSerializer(page, many=True, context={"request": request}).data)
        move = MoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        ids = move.validated_data["items"]
        if request.method == "POST":
            found = mine.filter(pk__in=ids)
            if found.count() != len(set(ids)):
                return Response({"detail": "No such item: some ids are not yours."}, status=400)
            return Response({"moved": services.move_items(collection, found)})
        return Response({"moved": services.move_items(None, mine.filter(pk__in=ids, collection=collection))})

    @extend_schema(
        request={"multipart/form-data": ArchiveUploadSerializer},
        responses={
            202: ArchiveAcceptedSerializer,
            400: OpenApiResponse(Rejected, description="A hostile or unreadable archive; nothing was stored."),
            429: OpenApiResponse(description="No member fits your upload rate now; nothing was stored."),
            **idempotency.RESPONSES,
        },
        parameters=[idempotency.PARAMETER],
    )
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser, parsers.FormParser])
    def archive(self, request, pk=None):
        """Upload a ZIP of photos and clips: one item per member, each analysed as if uploaded alone."""
        collection = self.get_object()
        # A retry after a time-out makes no second set of items: the same key replays the first answer.
        return idempotency.handle(request, lambda: self._archive(request, collection), scope=f"archive:{collection.pk}")

    def _archive(self, request, collection: Collection) -> Response:
        if len(request.FILES.getlist("file")) > 1:
            return Response({"detail": "Send one archive per request."}, status=status.HTTP_400_BAD_REQUEST)
        upload = ArchiveUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        options = upload.validated_data
        try:
            keep = parse_keep_media(options["keep_media"]) if options.get("keep_media") else None
        except InvalidKeepMedia as exc:
            return Response({"keep_media": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        throttle = MemberThrottle()
        try:
            result = services.accept_archive(
                request.user,
                collection,
                options["file"],
                admit=lambda count: throttle.admit(request, count),
                keep_media=keep,
                sample_fps=0.0 if options.get("every_frame") else options.get("sample_fps"),
            )
        except services.ArchiveRejected as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        except services.ArchiveThrottled:
            wait = int(throttle.wait() or 1) + 1
            detail = f"Too many uploads in a short time (each member counts); try again in {wait} s."
            return Response(
                {"detail": detail}, status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(wait)}
            )
        activity.record(request, activity.Action.ARCHIVE_UPLOADED, result.activity_detail())
        body = {"archive": str(result.archive.pk), "items": result.items, "rejected": result.rejected}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request={
            "text/csv": str,
            "multipart/form-data": inline_serializer("LabelsFile", {"file": serializers.FileField()}),
        },
        responses={200: LabelsResultSerializer, 400: Rejected},
    )
    @action(detail=True, methods=["put"], parser_classes=[CSVParser, parsers.MultiPartParser])
    def labels(self, request, pk=None):
        """Label the collection's items from a CSV with the header file,emotion (matched by file name)."""
        collection = self.get_object()
        data = request.data
        if not isinstance(data, bytes):
            file = request.FILES.get("file")
            if file is None:
                return Response({"detail": "Send labels.csv as the body (text/csv) or as the part file."}, status=400)
            data = file.read(LABELS_MAX_BYTES + 1)
        try:
            labels = parse_labels(data)
        except services.LabelsRejected as exc:
            return Response({"detail": f"labels.csv: {exc}"}, status=status.HTTP_400_BAD_REQUEST)
        labelled, unmatched = services.set_labels(collection, labels)
        return Response({"labelled": labelled, "unmatched": unmatched})

    @extend_schema(responses=CollectionSummarySerializer)
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """Counts by status and kind, faces and their emotions, and the evaluation against your labels."""
        with transaction.atomic():  # one snapshot on PostgreSQL's repeatable reads; harmless elsewhere
            return Response(summary.summarize(self.get_object()))

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"], url_path=r"export\.csv", url_name="export-csv")
    def export_csv(self, request, pk=None):
        """One row per face over every item: item, file, kind, frame, time, box, the 7 probabilities,
        emotion, confidence, uncertain, expected emotion."""
        collection = self.get_object()
        response = StreamingHttpResponse(exports.csv_lines(collection), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{_file_stem(collection)}-faces.csv")
        return response

    @extend_schema(responses={(200, "application/json"): dict})
    @action(detail=True, methods=["get"], url_path=r"export\.json", url_name="export-json")
    def export_json(self, request, pk=None):
        """The same faces nested by item, as one streamed JSON document."""
        collection = self.get_object()
        response = StreamingHttpResponse(exports.json_chunks(collection), content_type="application/json")
        response["Content-Disposition"] = content_disposition_header(True, f"{_file_stem(collection)}-faces.json")
        return response


class ExportAlias(CollectionViewSet):
    """The exports at the issue's names, without the router's trailing slash; documented once, at the router's."""

    schema = None


def _file_stem(collection: Collection) -> str:
    # No path separators or control characters in a name a browser will save.
    stem = "".join(c for c in collection.name if c.isprintable() and c not in '/\\"').strip()
    return stem or str(collection.pk)
