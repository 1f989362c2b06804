from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from analysis.ops import health, metrics

urlpatterns = [
    # Operations: no login (healthz tells nothing secret; metrics wants its bearer token).
    path("healthz/", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls", namespace="accounts")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("analysis.api_urls", namespace="api")),
    # Uploaded files, only through views that check the owner; MEDIA_ROOT is never served directly.
    path("files/", include("analysis.file_urls", namespace="files")),
    path("", include("analysis.urls", namespace="analysis")),
]
