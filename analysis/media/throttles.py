"""The upload rate, shared by the API and the upload page."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


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
