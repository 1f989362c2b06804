"""An S3-compatible server on 127.0.0.1 for tests: moto's server mode, in this process, on a free port.

Tests that need it skip where moto is not installed, and fail under REQUIRE_SERVICES=1 (tests/services.py).
Nothing leaves the machine: the server, and every URL it signs, is on 127.0.0.1.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.services import require_service


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3Server:
    """moto's ThreadedMotoServer; ``environment(bucket)`` is what a process needs to use a bucket on it."""

    def __init__(self):
        from moto.server import ThreadedMotoServer

        # One line per request otherwise, in every failing test's output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="test-key",
            aws_secret_access_key="test-secret",
            region_name="us-east-1",
        )

    def environment(self, bucket: str) -> dict[str, str]:
        """The README's five variables for ``bucket`` on this server."""
        return {
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "test-key",
            "AWS_SECRET_ACCESS_KEY": "test-secret",
            "AWS_S3_REGION_NAME": "us-east-1",
        }

    def new_bucket(self) -> str:
        name = f"facet-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))


def start_s3_server() -> S3Server:
    try:
        import moto.server  # noqa: F401
    except ImportError as exc:
        require_service("an S3-compatible server (moto[server], requirements-dev.txt)", False, str(exc))
    return S3Server()


class S3Process(S3Server):
    """moto's server as a process of its own (``moto_server``), so that a test or a benchmark can kill it,
    or pause it with SIGSTOP (a hung bucket), and start it again on the same port. Its buckets live in
    its memory: a killed server comes back empty (``new_bucket(name)`` makes the bucket again)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self, timeout: float = 60) -> "S3Process":
        binary = Path(sys.executable).with_name("moto_server")
        self.process = subprocess.Popen(
            [str(binary), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start on port {self.port}") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """kill -9: connections are refused until ``start()``."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    stop = kill

    def pause(self) -> None:
        """SIGSTOP: connections are accepted by the kernel and never answered (a hung bucket)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def new_bucket(self, name: str | None = None) -> str:
        name = name or f"facet-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


def start_s3_process() -> S3Process:
    binary = Path(sys.executable).with_name("moto_server")
    require_service("moto_server (moto[server], requirements-dev.txt)", binary.exists(), f"no {binary}")
    return S3Process()
