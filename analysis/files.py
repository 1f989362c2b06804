"""Owner-checked serving of stored photos and thumbnails.

Nothing under MEDIA_ROOT is served by path: a file is found from an item of the requesting user's
own media, so another user's item, a guessed path or an anonymous request is a 404.
"""

import re

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
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
    if field_name != "thumbnail" and media.kind == Media.Kind.VIDEO:
        return _ranged(request, handle, "video/mp4" if field_name != "file" else media.content_type)
    content_type = "image/png" if stored.name.endswith(".png") else "image/jpeg"
    return FileResponse(handle, content_type=content_type)


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _ranged(request, handle, content_type: str):
    """A clip with HTTP Range support: browsers seek in a video by asking for byte ranges."""
    size = handle.size
    match = RANGE.match(request.headers.get("Range", "").strip())
    if not match or not any(match.groups()):
        response = FileResponse(handle, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # "bytes=-N": the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start > end or start >= size:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response

    def chunks(remaining=end - start + 1):
        try:
            handle.seek(start)
            while remaining > 0:
                block = handle.read(min(remaining, 64 * 1024))
                if not block:
                    break
                remaining -= len(block)
                yield block
        finally:
            handle.close()

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


# Private: a shared cache (a proxy) must never hand one user's photo to another.
@require_safe
@cache_control(private=True, max_age=3600)
def original(request, pk):
    return _serve(request, pk, "file")


@require_safe
@cache_control(private=True, max_age=3600)
def thumbnail(request, pk):
    return _serve(request, pk, "thumbnail")


@require_safe
@cache_control(private=True, max_age=3600)
def playable(request, pk):
    """A clip's browser-playable H.264 copy, made by the worker."""
    return _serve(request, pk, "playable")


# Not cached: a new copy may be asked for after the stored detections changed.
@require_safe
@cache_control(private=True, no_cache=True)
def annotated(request, pk):
    """A clip's annotated MP4, made on request."""
    return _serve(request, pk, "annotated_file")
