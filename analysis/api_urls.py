from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from analysis.live import views as live_views
from analysis.media import api
from analysis.privacy import api as privacy_api
from analysis.webhooks import api as webhook_api

app_name = "api"

router = SimpleRouter()
router.register("media", api.MediaViewSet, basename="media")
router.register("webhooks", webhook_api.WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="token"),
    path("live/", live_views.LiveFrameView.as_view(), name="live"),
    path("me/", privacy_api.MeView.as_view(), name="me"),
    path("me/export/", privacy_api.ExportView.as_view(), name="me-export"),
    path("me/activity/", privacy_api.ActivityView.as_view(), name="me-activity"),
    path("media/<uuid:pk>/anonymized/", api.AnonymizedView.as_view(), name="media-anonymized"),
    *router.urls,
]
