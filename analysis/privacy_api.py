"""REST API of the privacy controls (issue 17): /api/me/ (retention)."""

from drf_spectacular.utils import extend_schema
from rest_framework import parsers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analysis import privacy
from analysis.privacy_models import InvalidKeepMedia, parse_keep_media


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
            privacy.set_keep_media(request.user, serializer.validated_data["keep_media"])
        return Response(_me(request.user))
