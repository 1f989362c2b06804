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
        # Uploads only: the API's create and the upload page (no view). Asking for an annotated copy
        # or cancelling is a POST on the same viewset, and once spent the budget meant for files.
        if request.method != "POST" or getattr(view, "action", "create") != "create":
            return True
        return super().allow_request(request, view)
