"""A real HTTP receiver on 127.0.0.1 for webhook tests (http.server in a thread), and the Standard
Webhooks check a receiver makes, written out as the README's receiver does it."""

import base64
import hashlib
import hmac
import http.server
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Answer:
    status: int = 200
    delay_s: float = 0.0
    headers: dict = field(default_factory=dict)
    body: bytes = b"ok"


class Receiver:
    """Answers each POST with the next of ``answers`` (the last one repeats); keeps what it got."""

    def __init__(self, answers: list[Answer] | None = None):
        self.answers = list(answers or [Answer()])
        self.received: list[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    answer = receiver.answers[min(len(receiver.received), len(receiver.answers)) - 1]
                time.sleep(answer.delay_s)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the sender gave up first (a time-out test)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.1)
        raise AssertionError(f"{len(self.received)} requests received of {count} after {timeout} s")


def verify(secret: str, received: Received, tolerance_s: int = 300) -> bool:
    """The Standard Webhooks check: HMAC-SHA256 of "id.timestamp.body", key = base64 after whsec_."""
    msg_id, timestamp = received.headers["webhook-id"], received.headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance_s:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{timestamp}.".encode() + received.body, hashlib.sha256).digest()
    )
    return any(
        hmac.compare_digest(expected.decode(), signature.split(",", 1)[1])
        for signature in received.headers["webhook-signature"].split()
        if signature.startswith("v1,")
    )
