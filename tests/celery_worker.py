"""A real Celery worker process for tests; the fixtures that start one are in tests/conftest.py."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings as django_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """A URL for the database this test process is using (the test database, not the real one)."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    raise NotImplementedError(f"No worker support for {db['ENGINE']}")


def broker_available() -> tuple[bool, str]:
    url = django_settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        return True, ""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return False, f"{url}: {exc}"
    return True, ""


class CeleryWorkerProcess:
    """A `celery worker` subprocess; ``log`` is its combined output, kept for failure messages."""

    def __init__(self, app: str, log: Path, env: dict, beat: bool, schedule: Path):
        self.log = log
        # The node name, as `manage.py worker_alive --hostname` takes it (%h: this machine's name).
        self.hostname = f"test-{uuid.uuid4().hex[:8]}@%h"
        command = [
            sys.executable, "-m", "celery", "-A", app, "worker",
            "--loglevel=INFO", "--concurrency=1", "--pool=prefork",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", self.hostname,
            # Every queue, as the README's worker and `manage.py devserver` consume them.
            "--queues", "celery,live,webhooks",
        ]  # fmt: skip
        if beat:
            command += ["--beat", "--schedule", str(schedule)]
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.output():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"The worker exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.2)
        raise TimeoutError(f"The worker was not ready after {timeout} s:\n{self.output()}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def unfinished_tasks(self) -> set[str]:
        """Ids of the tasks this worker logged as received and not yet as ended (succeeded, raised, retried,
        ignored, rejected or discarded), read from its log."""
        received, ended = set(), set()
        for task_id, rest in re.findall(r"[\w.]+\[([0-9a-f-]{36})\]([^\n]*)", self.output()):
            (received if rest.strip() == "received" else ended).add(task_id)
        return received - ended

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until every task the worker received has ended, so that nothing it does lands later."""
        deadline = time.monotonic() + timeout
        while unfinished := self.unfinished_tasks():
            if time.monotonic() > deadline or not self.alive():
                raise TimeoutError(f"The worker still runs {sorted(unfinished)}:\n{self.output()[-5000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            # Warm shutdown of the main process, which stops its pool and beat.
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        # Then the whole process group, in case a pool process is stuck, or outlived a main process that
        # a test killed.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._log_file.close()


def wait_until_final(media, timeout: float = 120, worker: CeleryWorkerProcess | None = None):
    """Poll a job's row (an item's analysis, an annotated copy) until it finished; returns it refreshed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        media.refresh_from_db()
        if media.is_final:
            return media
        time.sleep(0.2)
    log = f"\nWorker output:\n{worker.output()[-5000:]}" if worker else ""
    raise AssertionError(f"{media.pk} still {media.status} after {timeout} s{log}")
