"""A throw-away installation of the platform for benchmarks: database, media, broker, web, workers.

Uses DATABASE_URL and CELERY_BROKER_URL/REDIS_URL when set (PostgreSQL and Redis give production-like
figures), else a SQLite file and the filesystem transport in a temporary folder. Everything the
benchmark creates lives in that folder or in a database it creates and drops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def postgres_database(url: str):
    """A fresh database beside the one ``url`` names, dropped afterwards; yields its URL."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Platform:
    """Start with ``with Platform(web_workers=2) as site:``; ``site.url`` is the web server's base URL."""

    def __init__(self, web_workers: int = 1, worker_concurrency: int = 1, production: bool = True):
        self.web_workers = web_workers
        self.worker_concurrency = worker_concurrency
        self.production = production
        self.processes: list[subprocess.Popen] = []
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Platform:
        self.folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="fer-bench-")))
        database = os.environ.get("DATABASE_URL", "")
        if database.startswith("postgres"):
            database = self._stack.enter_context(postgres_database(database))
        else:
            database = f"sqlite:///{self.folder / 'db.sqlite3'}"
        broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
        if broker.startswith("redis"):
            # A database of our own on the Redis server, so no other worker takes our messages.
            broker = urllib.parse.urlsplit(broker)._replace(path="/13").geturl()
            import redis

            redis.Redis.from_url(broker).flushdb()
        self.broker = broker or "filesystem://"
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fer_site.settings",
            "DATABASE_URL": database,
            "MEDIA_ROOT": str(self.folder / "media"),
            "FER_BROKER_DIR": str(self.folder / "broker"),
            "CELERY_BEAT_SCHEDULE_FILENAME": str(self.folder / "beat"),
            "STATIC_ROOT": str(self.folder / "static"),
            # Many uploads from few users in a short time is the point of these benchmarks.
            "FER_UPLOAD_RATE": "10000/min",
            "TF_NUM_INTRAOP_THREADS": "1",
            "TF_NUM_INTEROP_THREADS": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        if broker:
            self.env["CELERY_BROKER_URL"] = broker
        else:
            self.env.pop("CELERY_BROKER_URL", None)
            self.env.pop("REDIS_URL", None)
        if self.production:
            self.env.update(
                DJANGO_DEBUG="False",
                SECRET_KEY="benchmark-only-" + uuid.uuid4().hex * 2,
                ALLOWED_HOSTS="127.0.0.1,localhost",
                SECURE_SSL_REDIRECT="False",
                SESSION_COOKIE_SECURE="False",
                CSRF_COOKIE_SECURE="False",
            )
        else:
            self.env["DJANGO_DEBUG"] = "True"
        self.manage("migrate", "--no-input", "-v", "0")
        if self.production:
            self.manage("collectstatic", "--no-input", "-v", "0")
        return self

    @property
    def broker_kind(self) -> str:
        """The broker's scheme (redis, filesystem), as the figures name it."""
        return self.broker.split("://")[0]

    @property
    def database_kind(self) -> str:
        """The database's scheme (sqlite, postgres), as the figures name it."""
        return self.database.split(":")[0]

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [PYTHON, "manage.py", *args], cwd=REPO, env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def start_web(self, threads: int = 1) -> None:
        # threads > 1: gunicorn's gthread worker class, as the README advises for live mode.
        threading = ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []
        self._start(
            [PYTHON, "-m", "gunicorn", "fer_site.wsgi", "-w", str(self.web_workers), "-b", f"127.0.0.1:{self.port}",
             "--access-logfile", "-", "--log-level", "warning", *threading],
            "web",
        )  # fmt: skip
        self._wait_http(self.url + "/api/schema/")

    def start_worker(self, queues: str = "celery,live", name: str = "worker") -> None:
        self._start(
            [PYTHON, "-m", "celery", "-A", "fer_site", "worker", "--concurrency", str(self.worker_concurrency),
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--queues", queues, "--hostname", f"{name}@%h"],
            name,
        )  # fmt: skip

    def _start(self, command: list[str], name: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes.append(
            subprocess.Popen(
                command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )

    def _wait_http(self, url: str, timeout: float = 60) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def create_users(self, count: int) -> list[str]:
        """``count`` users bench0..; returns their API tokens."""
        script = (
            "from django.contrib.auth.models import User\n"
            "from rest_framework.authtoken.models import Token\n"
            f"for i in range({count}):\n"
            "    user = User.objects.create_user(f'bench{i}', password='bench-password-1')\n"
            "    print(Token.objects.create(user=user).key)\n"
        )
        output = self.manage("shell", "-c", script).split()
        # Only the tokens: 40 hexadecimal characters (the shell may print a banner first).
        return [word for word in output if len(word) == 40 and all(c in "0123456789abcdef" for c in word)]

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def __exit__(self, *exc_info):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self._stack.close()


def post_photo(base_url: str, token: str, body: bytes, name: str = "photo.jpg", query: str = "") -> tuple[int, dict]:
    """POST /api/media/ (``query``: e.g. "?wait=30") as multipart; returns the status code and the decoded
    JSON answer."""
    import json
    import urllib.error
    import urllib.request

    boundary = uuid.uuid4().hex
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        base_url + "/api/media/" + query,
        data=payload,
        headers={"Authorization": f"Token {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"body": error.read().decode(errors="replace")[:500]}


def get_json(url: str, token: str) -> dict:
    import json
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def photo_640x480() -> bytes:
    """The astronaut (tests/photos.py) scaled to 480 x 480 on a grey 640 x 480 canvas: a JPEG (quality 90)
    with one face."""
    import numpy as np
    from PIL import Image

    from tests.photos import astronaut, encode

    canvas = np.full((480, 640, 3), 128, np.uint8)
    canvas[:, 80:560] = np.asarray(Image.fromarray(astronaut()).resize((480, 480)))
    return encode(canvas, quality=90)
