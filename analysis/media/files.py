"""Owner-checked serving of stored photos, thumbnails and clips.

Nothing under MEDIA_ROOT is served by path: a file is found from an item of the requesting user's
own media, so another user's item, a guessed path or an anonymous request is a 404. From a local
folder the file is streamed (with Range support for clips); from a bucket the answer is a redirect to
a presigned URL that expires within five minutes.
"""

import re

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from analysis.jobs import storage
from analysis.media.models import Media

# Every stored file answered from here: no script, no origin, whatever a browser makes of it.
SANDBOX = "sandbox"


def requesting_user(request):
    """The session user, or the user of an `Authorization: Token ...` header (API clients)."""
    if request.user.is_authenticated:
        return request.user
    try:
        authenticated = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        authenticated = None
    return authenticated[0] if authenticated else request.user


def _serve(request, pk, field_name: str, cache: dict):
    media = get_object_or_404(Media.objects.for_user(requesting_user(request)), pk=pk)
    stored = getattr(media, field_name)
    if not stored:
        raise Http404("No such file.")
    ranged = field_name != "thumbnail" and media.kind == Media.Kind.VIDEO
    if ranged:
        content_type = "video/mp4" if field_name != "file" else media.content_type
    else:
        content_type = "image/png" if stored.name.endswith(".png") else "image/jpeg"
    # A bucket serves the bytes itself, Range requests included, at a URL that expires within five
    # minutes; only this redirect, after the owner check, hands it out. Never cached: the URL expires.
    url = storage.presigned_url(stored, content_type)
    if url:
        response = HttpResponseRedirect(url)
        patch_cache_control(response, private=True, no_store=True)
        return response
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    try:
        response = _ranged(request, handle, content_type) if ranged else FileResponse(handle, content_type=content_type)
    except BaseException:
        handle.close()  # a response that was never made cannot close it
        raise
    patch_cache_control(response, **cache)
    # A stored file is never a page of this site: were a browser to render one as HTML or SVG anyway,
    # it runs no script and has no origin (nosniff and the server-chosen type already stand before it).
    response["Content-Security-Policy"] = SANDBOX
    return response


# ASCII digits only (re's \d also matches other scripts' digits, which int() would accept), and the
# whole header: "$" would also match before a trailing newline.
RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.ASCII)
UNSATISFIABLE = object()
# More digits than any file size has: such a number is "past the end", and never reaches int(), whose
# conversion limit (4300 digits) turned a hostile header into a 500.
MAX_DIGITS = 18


def _number(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= MAX_DIGITS else 10**MAX_DIGITS


def parse_range(header: str, size: int):
    """The (start, end) bytes, both inclusive, that a single-range ``Range`` header asks of a file of
    ``size`` bytes; None to serve the whole file (no header, a malformed one, or several ranges, which
    RFC 9110 lets a server ignore); UNSATISFIABLE for a range that starts past the end."""
    match = RANGE.fullmatch(header.strip(" \t"))
    if not match or not any(match.groups()):
        return None
    first, last = match.groups()
    if first:
        start = _number(first)
        if last and _number(last) < start:
            return None  # "bytes=5-3" is syntactically invalid: ignored, not refused
        end = min(_number(last), size - 1) if last else size - 1
    else:  # "bytes=-N": the last N bytes
        suffix = _number(last)
        if suffix == 0:
            return UNSATISFIABLE
        start, end = max(0, size - suffix), size - 1
    if start >= size:
        return UNSATISFIABLE
    return start, end


class _Chunks:
    """The bytes start..end of an open file; closing it (as the response does, even unread) closes the file."""

    def __init__(self, handle, start: int, end: int):
        self.handle, self.start, self.remaining = handle, start, end - start + 1

    def __iter__(self):
        self.handle.seek(self.start)
        while self.remaining > 0:
            block = self.handle.read(min(self.remaining, 64 * 1024))
            if not block:
                break
            self.remaining -= len(block)
            yield block

    def close(self):
        self.handle.close()


def _ranged(request, handle, content_type: str):
    """A clip with HTTP Range support: browsers seek in a video by asking for byte ranges."""
    size = handle.size
    answer = parse_range(request.headers.get("Range", ""), size)
    if answer is None:
        response = FileResponse(handle, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    if answer is UNSATISFIABLE:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = answer
    response = StreamingHttpResponse(_Chunks(handle, start, end), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


# Private: a shared cache (a proxy) must never hand one user's photo to another.
KEPT = {"private": True, "max_age": 3600}
# Not cached: a new annotated copy may be asked for after the stored detections changed.
REVALIDATED = {"private": True, "no_cache": True}


@require_safe
def original(request, pk):
    return _serve(request, pk, "file", KEPT)


@require_safe
def thumbnail(request, pk):
    return _serve(request, pk, "thumbnail", KEPT)


@require_safe
def playable(request, pk):
    """A clip's browser-playable H.264 copy, made by the worker."""
    return _serve(request, pk, "playable", KEPT)


@require_safe
def anonymized(request, pk):
    """A photo's or clip's blurred copy (issue 17), made on request."""
    return _serve(request, pk, "anonymized_file", REVALIDATED)


@require_safe
def annotated(request, pk):
    """A clip's annotated MP4, made on request."""
    return _serve(request, pk, "annotated_file", REVALIDATED)
