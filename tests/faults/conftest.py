"""The attack suite's fixtures: a private redis-server (AOF) per test, and real workers that hang on cue.

Each test gets a redis-server of its own on a free 127.0.0.1 port, with its append-only file in the
test's temporary folder, so that it can stop, restart or lose its broker without touching anyone
else's; this test process's Celery app sends to that server for the test's duration. Without a
redis-server binary the tests skip, or fail under REQUIRE_SERVICES=1 (tests/services.py).
"""

import contextlib
import time
from pathlib import Path

import pytest

from tests.redis_server import RedisServer, redis_server_binary
from tests.services import require_service

# A worker's heartbeat is stale after this many seconds, and its sweeper runs every second: a killed
# job is taken over within seconds. 5 s, not less: on a loaded 2-core machine a live job's heartbeat
# (every 5/4 s) must never look stale.
STALE_SECONDS = "5"


@pytest.fixture
def redis_server(tmp_path):
    binary = redis_server_binary()
    require_service("redis-server", binary is not None, "no redis-server on PATH")
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def _forget_connections(app) -> None:
    """Forget the app's broker connection pool, so the next send connects to the current broker_url."""
    # Not closed: kombu keeps pools in a registry by URL, and a closed one would be handed out again to
    # the next test that uses the same broker ("Acquire on closed pool").
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    # The result backend (this thread's, cached): each send subscribes to its task's result there.
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def broker(redis_server, settings, monkeypatch):
    """The private Redis as this process's broker (what the web process sends through); restored after."""
    from django.conf import settings as django_settings

    from fer_site.celery import app

    names = ("broker_url", "broker_transport_options", "result_backend")
    saved = {name: app.conf[name] for name in names}
    settings.CELERY_BROKER_URL = redis_server.url  # what broker_available() pings
    # Celery reads these two variables before its configuration (CI sets the first, for the shared Redis).
    monkeypatch.setenv("CELERY_BROKER_URL", redis_server.url)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", redis_server.url)
    app.conf.update(
        broker_url=redis_server.url,
        # As in production (fer_site.settings): well above any task's time limit, and socket time-outs.
        broker_transport_options={"visibility_timeout": 3600, **django_settings.REDIS_SOCKET_TIMEOUTS},
        result_backend=redis_server.url,
    )
    _forget_connections(app)
    assert app.conf.broker_url == redis_server.url
    yield redis_server
    app.conf.update(saved)
    _forget_connections(app)


class Hang:
    """The cue files of tests/analysis/slow_worker.py: where a job hangs, and how to let it go on."""

    def __init__(self, marker: Path):
        self.marker = marker
        marker.touch()

    def runs(self) -> list[int]:
        """Process ids of the hung runs so far, in order (one line per run)."""
        path = self.marker.with_suffix(".runs")
        return [int(line) for line in path.read_text().split()] if path.exists() else []

    def wait_for_run(self, number: int, worker, timeout: float = 180) -> int:
        """Wait until run ``number`` (1, 2, ...) hangs; its pool process id."""
        deadline = time.monotonic() + timeout
        while len(self.runs()) < number:
            assert time.monotonic() < deadline, f"run {number} never hung:\n{worker.output()[-5000:]}"
            assert worker.alive(), f"the worker exited:\n{worker.output()[-5000:]}"
            time.sleep(0.1)
        return self.runs()[number - 1]

    def release(self) -> None:
        self.marker.with_suffix(".release").touch()


@pytest.fixture
def start_worker(broker, start_celery_worker, tmp_path):
    """Factory: a real worker with the sweeper on the private Redis; ``hang="clip"`` etc. makes one job
    of that kind hang (tests/analysis/slow_worker.py), returned as ``(worker, Hang)``."""

    def start(hang: str | None = None, *, every: bool = False, stuck: bool = False, **env):
        worker_env = {
            "CELERY_BROKER_URL": broker.url,
            "CELERY_RESULT_BACKEND": broker.url,
            "FER_JOB_STALE_SECONDS": STALE_SECONDS,
            "FER_SWEEP_INTERVAL_SECONDS": "1",
            **env,
        }
        if hang is None:
            return start_celery_worker(beat=True, env=worker_env), None
        cue = Hang(tmp_path / f"hang-{hang}")
        worker_env.update(FER_TEST_SLOW_MARKER=str(cue.marker), FER_TEST_SLOW_JOB=hang)
        if every:
            worker_env["FER_TEST_SLOW_EVERY"] = "1"
        if stuck:
            worker_env["FER_TEST_SLOW_STUCK"] = "1"
        return start_celery_worker(app="tests.analysis.slow_worker", beat=True, env=worker_env), cue

    return start


@pytest.fixture
def redis_cache(broker, settings):
    """The rate-limit cache on the broker's Redis (database 1), as the README's production layout has it."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "analysis.web.cache.FailOpenRedisCache",
            "LOCATION": broker.url.rsplit("/", 1)[0] + "/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    cache.clear()
    yield broker


# A hung bucket's call gives up after this (FER_STORAGE_DEADLINE_S; production: 15 s).
STORAGE_DEADLINE_S = "3"


@pytest.fixture
def bucket_process(settings):
    """A bucket on a moto server process of this test's own (killable, pausable) as the default storage,
    configured from the README's AWS_* variables as fer_site.settings does, with a short deadline."""
    from types import SimpleNamespace

    from fer_site import object_storage
    from tests.s3 import start_s3_process

    server = start_s3_process()
    name = server.new_bucket()
    environment = {**server.environment(name), "FER_STORAGE_DEADLINE_S": STORAGE_DEADLINE_S}
    settings.STORAGES = {**settings.STORAGES, "default": object_storage.default_storage(environment)}
    yield SimpleNamespace(server=server, name=name, keys=lambda prefix="": server.keys(name, prefix))
    with contextlib.suppress(OSError, AssertionError):
        server.resume()
    server.kill()
