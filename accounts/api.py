"""POST /api/auth/token/: a username and password exchanged for the user's API token."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from accounts import ratelimit
from analysis.privacy import activity
from analysis.web.limits import AddressThrottle
from ml.video_io import duration_text


class TokenThrottle(AddressThrottle):
    """Per client address (the socket's, never a forged X-Forwarded-For), so password guessing through
    the API is as slow as through the log-in page."""

    scope = "token"
    rate_setting = "FER_TOKEN_RATE"


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
