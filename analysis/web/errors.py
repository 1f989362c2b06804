"""Every answer under /api/ is JSON, errors included: a storage outage is a 503 with Retry-After, an
unexpected error a 500 with a message (logged with its traceback), and Django's own error pages (an
unknown URL, a refused CSRF token) become {"detail": ...} with their status. Never the HTML page.
"""

import logging
from http import HTTPStatus

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse

from analysis.jobs import bucket

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# A storage outage: most end within a minute (a restarted or failed-over bucket); the client's retry
# with the same Idempotency-Key stores nothing twice.
STORAGE_RETRY_AFTER_S = 30
STORAGE_DOWN = "The file storage is unavailable right now; nothing was stored. Try again in a minute."
SERVER_ERROR = "Something went wrong on our side; it has been logged. Try again later."
# What Django's handlers turn into an error page themselves; the answer is converted below.
PAGES_DJANGO_MAKES = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)
# Headers of an error answer that the JSON one keeps.
KEPT_HEADERS = ("Retry-After", "Allow", "WWW-Authenticate", "Vary")


def storage_unavailable_response() -> JsonResponse:
    return JsonResponse({"detail": STORAGE_DOWN}, status=503, headers={"Retry-After": str(STORAGE_RETRY_AFTER_S)})


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _is_json(response) -> bool:
    return (response.get("Content-Type") or "").split(";")[0].strip().endswith("json")


class ApiErrorsAsJson:
    """Middleware: the JSON answers above for requests under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_json(response):
            status = response.status_code
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:
                phrase = "Error"
            answer = JsonResponse({"detail": f"{phrase}."}, status=status)
            for name in KEPT_HEADERS:
                if name in response:
                    answer[name] = response[name]
            return answer
        return response

    def process_exception(self, request, exception):
        if not _is_api(request) or isinstance(exception, PAGES_DJANGO_MAKES):
            return None
        if bucket.is_unavailable(exception):
            logger.warning("Storage unavailable during %s %s: %r", request.method, request.path, exception)
            return storage_unavailable_response()
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
