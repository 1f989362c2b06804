"""Owner-checked serving of stored photos and thumbnails.

Nothing under MEDIA_ROOT is served by path: a file is found from an item of the requesting user's
own media, so another user's item, a guessed path or an anonymous request is a 404.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from analysis.models import Media


def _requesting_user(request):
    """The session user, or the user of an `Authorization: Token ...` header (API clients)."""
    if request.user.is_authenticated:
        return request.user
    try:
        authenticated = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        authenticated = None
    return authenticated[0] if authenticated else request.user


def _serve(request, pk, field_name: str):
    media = get_object_or_404(Media.objects.for_user(_requesting_user(request)), pk=pk)
    stored = getattr(media, field_name)
    if not stored:
        raise Http404("No such file.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    content_type = "image/png" if stored.name.endswith(".png") else "image/jpeg"
    return FileResponse(handle, content_type=content_type)


# Private: a shared cache (a proxy) must never hand one user's photo to another.
@require_safe
@cache_control(private=True, max_age=3600)
def original(request, pk):
    return _serve(request, pk, "file")


@require_safe
@cache_control(private=True, max_age=3600)
def thumbnail(request, pk):
    return _serve(request, pk, "thumbnail")
