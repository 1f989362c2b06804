"""The API's shapes of an item: the one result shape (a face at a time), the item with its summary, a
clip's fields, its blurred copy; and what an upload sends and gets back. Shared by the API, the pages,
webhook bodies and the account export."""

from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

import ml
from analysis.media.keep_media import InvalidKeepMedia, parse_keep_media
from analysis.media.models import AnonymizedCopy, Media, owned_collection
from analysis.media.results import Detection
from ml.summary import ROW_FIELDS, TRACK_FIELDS


def absolute_url(request, path: str) -> str | None:
    """A site path as an absolute URL, like DRF's own links: the request's host, or FER_SITE_URL where
    there is no request (a webhook's body, the account export); None when there is no file."""
    if not path:
        return None
    if request is not None:
        return request.build_absolute_uri(path)
    return urljoin(settings.FER_SITE_URL.rstrip("/") + "/", path.lstrip("/"))


# One form for every URL in an item: absolute, or null for a file that is not (or no longer) there.
FileURL = serializers.URLField(allow_null=True, read_only=True)


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
    file = serializers.SerializerMethodField(help_text="Owner-only URL of the stored photo or clip; null once deleted.")
    thumbnail = serializers.SerializerMethodField(help_text="Owner-only URL of the thumbnail; null when there is none.")
    keep_media = serializers.CharField(help_text="Retention: always, results_only or days:N.")
    media_deleted_at = serializers.DateTimeField(allow_null=True, help_text="When retention deleted the media.")

    @extend_schema_field(FileURL)
    def get_file(self, media: Media) -> str | None:
        return absolute_url(self.context.get("request"), media.original_url())

    @extend_schema_field(FileURL)
    def get_thumbnail(self, media: Media) -> str | None:
        return absolute_url(self.context.get("request"), media.thumbnail_url())


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
        fields = ["id", "kind", "status", "error", "progress", "summary", "faces", "expected_emotion", "collection"]
        read_only_fields = fields
        extra_kwargs = {
            "expected_emotion": {"help_text": 'The emotion you expect (your label), one of the seven; "" for none.'},
            "collection": {"help_text": "The id of the collection the item is in; null for none."},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if instance.kind == Media.Kind.VIDEO:
            data.update(clip_fields(instance, request))
        if instance.kind in (Media.Kind.PHOTO, Media.Kind.VIDEO):
            data["anonymized"] = anonymized_fields(instance, request)
        return data


def anonymized_fields(media: Media, request=None) -> dict:
    """The item's blurred copy: its status ("" when never asked for), file URL (null until made) and
    where to ask for it; absolute URLs (absolute_url), as everywhere in an item."""
    copy = AnonymizedCopy.objects.of(media)
    url = reverse("files:anonymized", args=[media.pk]) if media.anonymized_file else ""
    request_url = reverse("api:media-anonymized", args=[media.pk])
    return {
        "status": copy.status if copy else "",
        "url": absolute_url(request, url),
        "request": absolute_url(request, request_url),
    }


def clip_fields(media: Media, request=None) -> dict:
    """What a clip adds to its API item; absolute URLs (absolute_url), null for a file not there."""

    def url(name: str, path: str = "") -> str | None:
        return absolute_url(request, path or reverse(f"api:media-{name}", args=[media.pk]))

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
        "player": absolute_url(request, media.playable_url()),
        "exports": {
            "csv": url("export-csv"),
            "json": url("export-json"),
            "annotated": {
                "status": media.annotated_status,
                "url": absolute_url(request, annotated),
                "request": url("annotated"),
            },
        },
    }


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP photo, or an MP4, MOV, WebM or AVI clip.")
    sample_fps = serializers.FloatField(
        required=False, min_value=0.1, max_value=120, help_text="Clips: frames analysed per second (default 5)."
    )
    every_frame = serializers.BooleanField(required=False, default=False, help_text="Clips: analyse every frame.")
    keep_media = serializers.CharField(
        required=False, help_text="This item's retention (always, results_only or days:N); default: your own."
    )
    collection = serializers.UUIDField(required=False, allow_null=True, help_text="Put the item in this collection.")
    expected_emotion = serializers.ChoiceField(
        choices=list(ml.EMOTIONS), required=False, allow_blank=True, help_text="Your label for the item."
    )

    def validate_keep_media(self, value):
        try:
            return parse_keep_media(value)
        except InvalidKeepMedia as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_collection(self, value):
        return _owned_collection(self, value)


def _owned_collection(serializer: serializers.Serializer, pk):
    """The caller's collection ``pk`` (None stays None); another user's is "not found", as in a 404."""
    if pk is None:
        return None
    collection = owned_collection(serializer.context["request"].user, pk)
    if collection is None:
        raise serializers.ValidationError("No such collection.")
    return collection


class MediaUpdateSerializer(serializers.Serializer):
    """What PATCH /api/media/<id>/ changes: your label, and the collection the item is in."""

    expected_emotion = serializers.ChoiceField(
        choices=list(ml.EMOTIONS), required=False, allow_blank=True, help_text='One of the seven; "" for none.'
    )
    collection = serializers.UUIDField(
        required=False, allow_null=True, help_text="Move the item into this collection; null takes it out."
    )

    def validate_collection(self, value):
        return _owned_collection(self, value)


class AcceptedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    url = serializers.CharField(help_text="Poll this URL until status is done or failed.")
