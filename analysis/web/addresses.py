"""The one rule for a request's client address, used by every rate limit, lock-out and activity line."""

from django.conf import settings


def client_address(request) -> str:
    """The socket's address (REMOTE_ADDR), unless FER_TRUSTED_PROXIES names how many proxies in front
    of the site append to X-Forwarded-For: then the address the outermost trusted proxy saw.

    Without trusted proxies the header is the client's own words: honouring it let anyone reset a
    per-address limit by sending a new address with each request (issue 25).
    """
    if request is None:
        return "unknown"
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = settings.FER_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    # Each trusted proxy appends the address it received the request from; the client may have
    # written anything before those, so count from the right.
    hops = [hop.strip() for hop in forwarded.split(",")]
    return hops[-min(proxies, len(hops))] or remote
