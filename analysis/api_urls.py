from django.urls import path
from rest_framework.routers import SimpleRouter

from analysis import api, live_views, privacy_api, webhook_api

app_name = "api"

router = SimpleRouter()
router.register("media", api.MediaViewSet, basename="media")
router.register("webhooks", webhook_api.WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path("auth/token/", api.ObtainTokenView.as_view(), name="token"),
    path("live/", live_views.LiveFrameView.as_view(), name="live"),
    path("me/", privacy_api.MeView.as_view(), name="me"),
    path("me/export/", privacy_api.ExportView.as_view(), name="me-export"),
    path("me/activity/", privacy_api.ActivityView.as_view(), name="me-activity"),
    path("media/<uuid:pk>/anonymized/", privacy_api.AnonymizedView.as_view(), name="media-anonymized"),
    *router.urls,
]
