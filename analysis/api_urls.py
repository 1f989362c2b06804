from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from analysis.collections import api as collections_api
from analysis.live import views as live_views
from analysis.media import api
from analysis.privacy import api as privacy_api
from analysis.webhooks import api as webhook_api

app_name = "api"

router = SimpleRouter()
router.register("media", api.MediaViewSet, basename="media")
router.register("webhooks", webhook_api.WebhookEndpointViewSet, basename="webhook")
router.register("collections", collections_api.CollectionViewSet, basename="collection")

urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="token"),
    path("live/", live_views.LiveFrameView.as_view(), name="live"),
    path("me/", privacy_api.MeView.as_view(), name="me"),
    path("me/export/", privacy_api.ExportView.as_view(), name="me-export"),
    path("me/activity/", privacy_api.ActivityView.as_view(), name="me-activity"),
    path("media/<uuid:pk>/anonymized/", api.AnonymizedView.as_view(), name="media-anonymized"),
    # The exports also without the router's trailing slash, as the issue names them (export.csv).
    path(
        "collections/<uuid:pk>/export.csv",
        collections_api.ExportAlias.as_view({"get": "export_csv"}),
        name="collection-export-csv-file",
    ),
    path(
        "collections/<uuid:pk>/export.json",
        collections_api.ExportAlias.as_view({"get": "export_json"}),
        name="collection-export-json-file",
    ),
    *router.urls,
]
