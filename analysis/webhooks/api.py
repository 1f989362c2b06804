"""REST API of webhooks: /api/webhooks/ (the caller's endpoints), rotate, test, deliveries, redeliver.

Every read starts from WebhookEndpoint.objects.for_user: another user's endpoint, or an attempt of
one, is a 404 everywhere.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from analysis.media import activity
from analysis.web.limits import UserOrAddressThrottle
from analysis.webhooks import services as webhooks
from analysis.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookSendThrottle(UserOrAddressThrottle):
    """Test events and redeliveries per user (FER_WEBHOOK_SEND_RATE), shared with the profile page's
    "send a test event": each is a signed request to a URL of the user's choosing, retried."""

    scope = "webhook-sends"
    rate_setting = "FER_WEBHOOK_SEND_RATE"


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = serializers.URLField(max_length=2000, help_text="https:// only; never a private or loopback address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False, help_text="Events sent."
    )
    enabled = serializers.BooleanField(
        required=False, help_text="False once disabled (see disabled_reason); PATCH true to turn it back on."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "enabled", "disabled_reason", "failing_since", "created_at"]
        read_only_fields = ["id", "disabled_reason", "failing_since", "created_at"]

    def validate_url(self, value: str) -> str:
        try:
            webhooks.check_url(value)
        except webhooks.WebhookRejected as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return value


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="whsec_<base64>: shown at creation and rotation only; keep it secret."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = ["id", "url", "events", "secret", "enabled", "disabled_reason", "failing_since", "created_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="message.webhook_id", help_text="The webhook-id header sent.")
    event = serializers.CharField(source="message.event")
    message_status = serializers.CharField(
        source="message.status", help_text="The message's state now: queued (a retry is due), done, failed."
    )
    succeeded = serializers.BooleanField(help_text="A 2xx answer within the time-out.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "webhook_id", "event", "attempt", "created_at", "status_code", "duration_ms", "error",
            "succeeded", "next_retry_at", "message_status",
        ]  # fmt: skip
        read_only_fields = fields


class QueuedSerializer(serializers.Serializer):
    webhook_id = serializers.CharField()
    event = serializers.CharField()
    status = serializers.CharField()


def _queued(message) -> Response:
    return Response(
        {"webhook_id": message.webhook_id, "event": message.event, "status": message.status},
        status=status.HTTP_202_ACCEPTED,
    )


def _refused(exc: Exception) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)


class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's webhook endpoints (at most 10). Another user's endpoint is 404, as if it did not exist."""

    serializer_class = WebhookEndpointSerializer
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]
    queryset = WebhookEndpoint.objects.none()

    def get_queryset(self):
        return WebhookEndpoint.objects.for_user(self.request.user).order_by("created_at", "id")

    @extend_schema(
        responses={
            201: WebhookEndpointWithSecretSerializer,
            400: OpenApiResponse(description="A URL that is not https, or private; unknown events; 10 already."),
        }
    )
    def create(self, request, *args, **kwargs):
        """Add an endpoint; the answer has its signing secret, shown this once (and at rotation)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            endpoint = webhooks.create_endpoint(request.user, data["url"], data["events"])
        except webhooks.WebhookRejected as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        activity.record(request, activity.Action.WEBHOOK_CREATED, str(endpoint.pk))
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = serializer.validated_data
        try:
            webhooks.update_endpoint(
                serializer.instance, url=data.get("url"), events=data.get("events"), enabled=data.get("enabled")
            )
        except webhooks.WebhookRejected as exc:
            raise serializers.ValidationError({"detail": str(exc)}) from exc
        activity.record(self.request, activity.Action.WEBHOOK_CHANGED, str(serializer.instance.pk))

    def perform_destroy(self, instance):
        pk = instance.pk
        webhooks.delete_endpoint(instance)
        activity.record(self.request, activity.Action.WEBHOOK_DELETED, str(pk))

    @extend_schema(request=None, responses={200: WebhookEndpointWithSecretSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        """Replace the signing secret; the answer has the new one. The old one keeps signing beside it
        for FER_WEBHOOK_SECRET_OVERLAP_S (a day by default), then signs nothing more."""
        endpoint = self.get_object()
        webhooks.rotate_secret(endpoint)
        activity.record(request, activity.Action.WEBHOOK_CHANGED, f"{endpoint.pk} secret rotated")
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        request=None,
        responses={
            202: QueuedSerializer,
            409: OpenApiResponse(description="Disabled."),
            429: OpenApiResponse(description="Too many test events and redeliveries; see Retry-After."),
        },
    )
    @action(detail=True, methods=["post"], throttle_classes=[WebhookSendThrottle])
    def test(self, request, pk=None):
        """Send a signed `webhook.test` event to the endpoint now."""
        try:
            message = webhooks.send_test(self.get_object())
        except webhooks.WebhookRejected as exc:
            return _refused(exc)
        return _queued(message)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """Every attempt at sending to this endpoint, newest first: status code, duration, error, next retry."""
        endpoint = self.get_object()
        page = self.paginate_queryset(endpoint.deliveries.select_related("message"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("delivery_id", str, OpenApiParameter.PATH, description="An attempt's id.")],
        responses={
            202: QueuedSerializer,
            409: OpenApiResponse(description="Disabled, or being sent right now."),
            429: OpenApiResponse(description="Too many test events and redeliveries; see Retry-After."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[^/.]+)/redeliver",
        throttle_classes=[WebhookSendThrottle],
    )
    def redeliver(self, request, pk=None, delivery_id=None):
        """Send an attempt's message again now: the same webhook-id and body, newly signed."""
        endpoint = self.get_object()
        delivery = get_object_or_404(endpoint.deliveries.select_related("message", "endpoint"), pk=delivery_id)
        try:
            message = webhooks.redeliver(delivery)
        except webhooks.WebhookRejected as exc:
            return _refused(exc)
        return _queued(message)
