"""REST API of the privacy controls (issue 17): /api/me/ (retention), /api/me/export/, /api/me/activity/.
(An item's blurred copy, /api/media/<id>/anonymized/, is analysis.media.api's.)"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis.media.keep_media import InvalidKeepMedia, parse_keep_media
from analysis.privacy import activity
from analysis.privacy import services as privacy
from analysis.privacy.models import ActivityEntry


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    keep_media = serializers.CharField(
        help_text='How long your media is kept: "always", "results_only" (deleted once analysed; results stay) '
        'or "days:N" (deleted N days after upload, 1 <= N <= 365).'
    )

    def validate_keep_media(self, value):
        try:
            return parse_keep_media(value)
        except InvalidKeepMedia as exc:
            raise serializers.ValidationError(str(exc)) from None


def _me(user) -> dict:
    return {"id": user.pk, "username": user.get_username(), "keep_media": privacy.keep_media_of(user)}


class MeView(APIView):
    """The caller's account settings: GET reads them, PATCH changes ``keep_media``."""

    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(_me(request.user))

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = MeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "keep_media" in serializer.validated_data:
            chosen = privacy.set_keep_media(request.user, serializer.validated_data["keep_media"])
            activity.record(request, activity.Action.RETENTION_CHANGED, chosen)
        return Response(_me(request.user))


class ExportSerializer(serializers.Serializer):
    include_media = serializers.BooleanField(
        required=False, default=False, help_text="Also put the stored originals in the ZIP, under media/."
    )


ExportState = inline_serializer(
    "ExportState",
    {
        "status": serializers.CharField(help_text='"" (none), queued, processing, done or failed.'),
        "url": serializers.CharField(help_text="The ZIP, for 24 hours once done; then it is deleted."),
        "progress": serializers.FloatField(),
        "expires_at": serializers.DateTimeField(allow_null=True),
    },
)


def _export_state(request, export) -> dict:
    if export is None:
        return {"status": "", "url": "", "progress": 0.0, "expires_at": None}
    url = export.download_url()
    return {
        "status": export.status,
        "url": request.build_absolute_uri(url) if url else "",
        "progress": export.progress,
        "expires_at": serializers.DateTimeField().to_representation(export.expires_at) if export.expires_at else None,
    }


class ExportView(APIView):
    """Everything you have as one ZIP: POST starts it (202), GET answers its status and download URL."""

    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]

    @extend_schema(responses=ExportState)
    def get(self, request):
        return Response(_export_state(request, privacy.latest_export(request.user)))

    @extend_schema(request=ExportSerializer, responses={202: ExportState})
    def post(self, request):
        options = ExportSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        export = privacy.request_export(request.user, **options.validated_data)
        activity.record(request, activity.Action.EXPORT_REQUESTED, str(export.pk))
        return Response(_export_state(request, export), status=status.HTTP_202_ACCEPTED)


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityEntry
        fields = ["action", "at", "ip", "detail"]
        read_only_fields = fields


class ActivityView(ListAPIView):
    """What was done on your account in the last 90 days, newest first (paginated as the media list)."""

    serializer_class = ActivitySerializer
    filter_backends: list = []
    queryset = ActivityEntry.objects.none()

    def get_queryset(self):
        return ActivityEntry.objects.for_user(self.request.user)
