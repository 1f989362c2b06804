"""REST API: token auth, upload, list, detail and delete of the caller's media (see README.md)."""

import django_filters
from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

import ml
from analysis import services
from analysis.models import Face, Media


class FaceSerializer(serializers.ModelSerializer):
    box = serializers.ListField(child=serializers.IntegerField(), min_length=4, max_length=4, read_only=True)
    probabilities = serializers.DictField(child=serializers.FloatField(), read_only=True)

    class Meta:
        model = Face
        fields = ["box", "probabilities", "emotion", "confidence"]


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


class MediaSerializer(serializers.ModelSerializer):
    summary = SummarySerializer(source="*", read_only=True)
    faces = FaceSerializer(many=True, read_only=True)

    class Meta:
        model = Media
        fields = ["id", "kind", "status", "error", "progress", "summary", "faces"]
        read_only_fields = fields


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP photo.")


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

    class Meta:
        model = Media
        fields = ["status", "emotion", "kind", "date", "created_after", "created_before"]


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
        return Media.objects.for_user(self.request.user).prefetch_related("faces").order_by("-created_at", "-id")

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            202: AcceptedSerializer,
            400: OpenApiResponse(
                inline_serializer("UploadRejected", {"file": serializers.ListField(child=serializers.CharField())}),
                description="The file was rejected; the message says why. Nothing was stored.",
            ),
            429: OpenApiResponse(description="Too many uploads; retry after the Retry-After header's seconds."),
        },
    )
    def create(self, request):
        """Upload one photo; it is analysed in the background."""
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            media = services.create_media(request.user, upload.validated_data["file"])
        except services.UploadRejected as exc:
            return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        url = request.build_absolute_uri(reverse("api:media-detail", args=[media.pk]))
        return Response(
            {"id": str(media.pk), "status": media.status, "url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    def perform_destroy(self, instance):
        services.delete_media(instance)


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
        return super().post(request, *args, **kwargs)
