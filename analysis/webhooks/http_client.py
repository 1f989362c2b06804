"""Signing and sending one webhook request: Standard Webhooks signatures, and an HTTP POST that only
reaches public addresses (checked on the socket actually connected), follows no redirect, reads at
most 64 KB of the answer and gives up after a deadline.

The standard library only (http.client, socket, ssl): no proxy from the environment, no redirects,
and the connect step is ours to check.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

# What is read of an answer: enough for any error page, and bounded whatever the endpoint sends.
MAX_RESPONSE_BYTES = 64 * 1024


class Refused(Exception):
    """A URL or address that webhooks may not be sent to; str(exc) says why, for its owner."""


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``
    keyed with the base64-decoded part of ``secret`` after ``whsec_``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


# IPv6 prefixes that carry an IPv4 address in their last 32 bits: NAT64's well-known prefix (RFC 6052)
# and the deprecated IPv4-compatible form. Behind NAT64, 64:ff9b::7f00:1 reaches 127.0.0.1.
IPV4_IN_LAST_32_BITS = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"))
# NAT64's local-use prefix (RFC 8215): the operator chooses where the IPv4 address sits, so it cannot be
# unwrapped reliably, and it is never a public endpoint's address: refused whole.
REFUSED_IPV6 = (ipaddress.IPv6Network("64:ff9b:1::/48"),)


def _unwrapped(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 transition address leads to (mapped, NAT64, IPv4-compatible, 6to4,
    Teredo's server), else ``ip`` itself."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    if any(ip in network for network in IPV4_IN_LAST_32_BITS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour  # 2002:7f00:1:: is 127.0.0.1 by 6to4
    return ip


def address_allowed(address: str) -> bool:
    """Whether an IP address may be connected to: public only, unless FER_WEBHOOK_ALLOW_PRIVATE.
    An IPv6 address that carries an IPv4 one is judged by that IPv4 address (issue 25)."""
    if settings.FER_WEBHOOK_ALLOW_PRIVATE:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") is link-local
    if isinstance(ip, ipaddress.IPv6Address) and any(ip in network for network in REFUSED_IPV6):
        return False
    ip = _unwrapped(ip)
    # is_global is False for private, loopback, link-local (169.254.169.254, the cloud metadata
    # address), shared (100.64/10), reserved and unspecified ranges; multicast is refused beside it.
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL webhooks may be sent to; Refused says why not."""
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.FER_WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise Refused("Only https:// URLs are allowed." if len(allowed) == 1 else "Only http(s):// URLs are allowed.")
    if not parts.hostname:
        raise Refused("The URL has no host.")
    if parts.username or parts.password:
        raise Refused("Credentials in the URL are not supported; check the signature instead.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise Refused("The URL's port is not a number from 1 to 65535.") from exc
    return parts.scheme, parts.hostname, port


def resolve(host: str, port: int) -> list[tuple]:
    """getaddrinfo's stream addresses of ``host``; Refused when any is not allowed (a name that also
    points somewhere private is refused whole, so which address a connection picks never matters)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"The host {host} could not be resolved.") from exc
    for *_, sockaddr in found:
        if not address_allowed(str(sockaddr[0])):
            raise Refused(f"{host} resolves to {sockaddr[0]}, a private or reserved address.")
    return found


def check_destination(url: str) -> None:
    """Refused unless ``url`` may be sent to now (its scheme, and every address its host resolves to)."""
    _, host, port = check_url(url)
    resolve(host, port)


def _connect(host: str, port: int, timeout: float) -> socket.socket:
    """A socket connected to one of ``host``'s addresses, each checked, and the peer checked again
    once connected: the address actually used, so a second DNS answer (rebinding) cannot slip in."""
    last_error: OSError | None = None
    for family, kind, proto, _, sockaddr in resolve(host, port):
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
            peer = sock.getpeername()[0]
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        if not address_allowed(peer):
            sock.close()
            raise Refused(f"{host} connected to {peer}, a private or reserved address.")
        return sock
    raise last_error or OSError(f"No address of {host} answered.")


class _HTTPConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = _connect(self.host, self.port, self.timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        sock = _connect(self.host, self.port, self.timeout)
        # The certificate is checked against the URL's host name (SNI too), as for any TLS client.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Reply:
    """What one attempt got: ``status`` None when no answer came (``error`` says why)."""

    status: int | None
    duration_ms: int
    error: str = ""
    headers: dict = field(default_factory=dict)
    # Not sent: the URL or an address it resolves to may not be reached. Permanent, not transient.
    refused: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict, *, timeout_s: float) -> Reply:
    """POST ``body`` to ``url``; a Reply whatever happens (refused, unreachable, slow, any status)."""
    started = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port = check_url(url)
    except Refused as exc:
        return Reply(None, 0, f"Refused: {exc}", refused=True)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if scheme == "https":
        connection: http.client.HTTPConnection = _HTTPSConnection(
            host, port, timeout=timeout_s, context=ssl.create_default_context()
        )
    else:
        connection = _HTTPConnection(host, port, timeout=timeout_s)
    # The whole exchange ends at the deadline, not each read: an endpoint trickling a byte a second
    # would otherwise hold the worker for ever. Shutting the socket down wakes a blocked read.
    expired = threading.Event()

    def expire():
        expired.set()
        if connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(timeout_s, expire)
    timer.daemon = True
    timer.start()
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)  # bounded, and never stored or shown
        reply_headers = {name.lower(): value for name, value in response.getheaders()}
        status = response.status
    except Refused as exc:
        return Reply(None, elapsed_ms(), f"Refused: {exc}", refused=True)
    except (OSError, ValueError, http.client.HTTPException) as exc:  # ValueError: http.client.InvalidURL
        if expired.is_set() or isinstance(exc, TimeoutError):
            return Reply(None, elapsed_ms(), f"No answer within {timeout_s:g} s.")
        if isinstance(exc, ssl.SSLError):
            return Reply(None, elapsed_ms(), f"TLS failed: {exc.reason or exc}")
        return Reply(None, elapsed_ms(), f"Could not connect: {type(exc).__name__}: {exc}"[:400])
    finally:
        timer.cancel()
        connection.close()
    if expired.is_set():
        return Reply(None, elapsed_ms(), f"No answer within {timeout_s:g} s.")
    error = ""
    if 300 <= status < 400:
        error = f"HTTP {status}: redirects are not followed."
    elif not 200 <= status < 300:
        error = f"HTTP {status}."
    return Reply(status, elapsed_ms(), error, reply_headers)
