"""Fixtures shared by every test package.

Standing users alice, bob and charlie; authenticated clients (`make_api_client(user)`, `alice_api`, `bob_api`
for the API, `alice_browser`, `bob_browser` for the pages); MEDIA_ROOT in a temporary folder for every test; and
`start_celery_worker` / `celery_worker_process`, a REAL Celery worker (`celery -A fer_site worker`) on
the broker and database this test uses, or `shared_celery_worker`, one started once per test module. Test
photos are built by tests/photos.py.

Service rule (tests/services.py, `require_service`): a test that needs PostgreSQL, Redis or a worker
skips when the service is absent, unless REQUIRE_SERVICES=1 (as in CI), which turns the skip into a
failure.
"""

import os
import shutil
import subprocess
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from tests.celery_worker import REPO_ROOT, CeleryWorkerProcess, broker_available, database_url
from tests.photos import astronaut, encode
from tests.s3 import free_port, start_s3_server
from tests.services import require_service

# --- Users -------------------------------------------------------------------------------------------


@pytest.fixture
def make_user(db):
    def make(username: str, password: str = "correct horse battery staple"):
        return get_user_model().objects.create_user(username, f"{username}@example.com", password)

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def charlie(make_user):
    return make_user("charlie")


# --- Authenticated clients -------------------------------------------------------------------------


@pytest.fixture
def make_api_client():
    """Factory: ``make_api_client(user)`` is a DRF APIClient authenticated as ``user`` (force_authenticate:
    no token, no log-in session, so no login entry in the activity log); ``make_api_client()`` is anonymous.
    (tests.analysis.clips.api_client also logs in a session, for the owner-checked /files/ views.)"""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def alice_api(make_api_client, alice) -> APIClient:
    return make_api_client(alice)


@pytest.fixture
def bob_api(make_api_client, bob) -> APIClient:
    return make_api_client(bob)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_browser(alice) -> Client:
    """A Django test Client with a log-in session as alice, for the pages."""
    return _logged_in(alice)


@pytest.fixture
def bob_browser(bob) -> Client:
    return _logged_in(bob)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes uploads to its own temporary folder, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; one test's uploads must not throttle the next test.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def astronaut_jpeg() -> bytes:
    """A JPEG of skimage's astronaut: one frontal face."""
    return encode(astronaut())


@pytest.fixture
def private_webhook_addresses(settings):
    """Webhooks may be sent to 127.0.0.1 and other private addresses (the tests' receivers listen there)."""
    settings.FER_WEBHOOK_ALLOW_PRIVATE = True


# --- A real Celery worker --------------------------------------------------------------------------


def _worker_environment(media_root, env: dict | None = None) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fer_site.settings_test",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_root),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        # Keep TensorFlow to one thread: the test machine runs the test, the worker and maybe more.
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        **(env or {}),
    }


@pytest.fixture
def start_celery_worker(transactional_db, tmp_path, settings):
    """Factory: start a real worker (``app``, ``beat``, extra environment) on this test's database.

    The test must commit what the worker reads, so this uses `transactional_db`; use it together with
    pytest-django's `live_server` for browser tests. Workers are stopped when the test ends.
    Broker: Redis when CELERY_BROKER_URL or REDIS_URL is set, else the filesystem transport in a
    folder private to this test run (fer_site.settings_test). The worker loads the model at start-up.
    """
    available, detail = broker_available()
    require_service("the Celery broker", available, detail)
    workers = []

    def start(app: str = "fer_site", beat: bool = False, env: dict | None = None, timeout: float = 180):
        number = len(workers)
        worker = CeleryWorkerProcess(
            app,
            tmp_path / f"worker-{number}.log",
            _worker_environment(settings.MEDIA_ROOT, env),
            beat,
            tmp_path / f"beat-{number}",
        )
        workers.append(worker)
        worker.wait_ready(timeout)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker_process(start_celery_worker):
    """One real `celery -A fer_site worker` with beat (the sweeper), ready to consume."""
    return start_celery_worker(beat=True)


@pytest.fixture(scope="module")
def module_celery_worker(django_db_setup, tmp_path_factory):
    """One real worker (no beat) for a whole test module, with a MEDIA_ROOT of its own; stopped at the
    module's end. Tests take it through `shared_celery_worker`, never directly."""
    available, detail = broker_available()
    require_service("the Celery broker", available, detail)
    folder = tmp_path_factory.mktemp("module-worker")
    media_root = folder / "media"
    media_root.mkdir()
    worker = CeleryWorkerProcess("fer_site", folder / "worker.log", _worker_environment(media_root), False, folder)
    worker.media_root = media_root
    try:
        worker.wait_ready(180)
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def shared_celery_worker(module_celery_worker, transactional_db, settings):
    """The module's worker (`module_celery_worker`), started once and loading the model once, for tests
    that only need a worker running: they must not stop, kill or reconfigure it, and each must wait for its
    own items. MEDIA_ROOT is the worker's folder during the test; after it, the fixture waits until the
    worker has ended every task it received and empties the folder, before `transactional_db` empties the
    database, so that nothing of one test reaches the next. A module using it must not start other workers,
    which would take messages from the same queues."""
    settings.MEDIA_ROOT = module_celery_worker.media_root
    yield module_celery_worker
    module_celery_worker.wait_idle()
    for path in module_celery_worker.media_root.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


# --- An S3-compatible bucket ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1, for the whole run (tests/s3.py); skipped where moto is absent."""
    server = start_s3_server()
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    """A fresh bucket as this process's default storage, configured from the README's AWS_* variables
    exactly as fer_site.settings configures it; ``bucket.environment`` is what a worker needs too."""
    from types import SimpleNamespace

    from fer_site import object_storage

    name = s3_server.new_bucket()
    environment = s3_server.environment(name)
    settings.STORAGES = {**settings.STORAGES, "default": object_storage.default_storage(environment)}
    return SimpleNamespace(name=name, environment=environment, keys=lambda prefix="": s3_server.keys(name, prefix))


# --- A private Redis --------------------------------------------------------------------------------


@pytest.fixture
def private_redis(settings):
    """A private redis-server on a free port as this process's broker (never a shared one); (start, stop)."""
    from analysis.jobs import broker as broker_state

    binary = shutil.which("redis-server")
    require_service("redis-server", binary is not None, "not on PATH")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    servers = []

    def start():
        servers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        deadline = time.monotonic() + 10
        while True:
            try:
                broker_state.redis_client().ping()
                return
            except Exception:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop():
        servers[-1].terminate()
        servers[-1].wait()

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    start()
    yield start, stop
    if servers[-1].poll() is None:
        stop()


def pytest_collection_modifyitems(items):
    """Mark the tests that drive Chromium `browser`, so `make test-quick` can leave them out."""
    for item in items:
        path = str(item.path)
        if "/tests/e2e/" in path or item.path.name == "test_live_browser.py":
            item.add_marker(pytest.mark.browser)
