"""GET /healthz/: whether the database, the broker and the storage each answer within a second.

No authentication and nothing secret: a load balancer or an orchestrator reads the status code, a person
the names of what failed. Why a check failed goes to the log, never into the answer (a URL in an error
could carry a password).
"""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from analysis.jobs import broker

logger = logging.getLogger(__name__)

DEADLINE_S = 1.0
# An object that need not exist: asking for it proves the bucket (or folder) answers and we may read it.
PROBE_NAME = "healthz/probe"


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        # A fresh connection each probe: one kept by an idle pool thread would outlive a database
        # restart unnoticed, and hold the test database open past its tests.
        connection.close()


def check_storage() -> None:
    default_storage.exists(PROBE_NAME)


CHECKS = {"database": check_database, "broker": broker.ping, "storage": check_storage}
# Threads that live across probes keep their connections (database, broker pool, bucket session).
_pool = ThreadPoolExecutor(max_workers=2 * len(CHECKS), thread_name_prefix="healthz")
_running: dict[str, Future] = {}
_lock = threading.Lock()


def _submit(name: str) -> Future:
    # A check still hanging from an earlier probe is not started again: probes must not pile up threads.
    with _lock:
        earlier = _running.get(name)
        if earlier is None or earlier.done():
            _running[name] = _pool.submit(CHECKS[name])
        return _running[name]


def run_checks(deadline_s: float = DEADLINE_S) -> dict[str, str]:
    """{"database": "ok" | "failed" | "timeout", "broker": ..., "storage": ...}, all run at once."""
    futures = {name: _submit(name) for name in CHECKS}
    wait(futures.values(), timeout=deadline_s)
    results = {}
    for name, future in futures.items():
        if not future.done():
            results[name] = "timeout"
            logger.warning("Health check %s: no answer within %.1f s", name, deadline_s)
        elif future.exception() is not None:
            results[name] = "failed"
            logger.warning("Health check %s failed: %r", name, future.exception())
        else:
            results[name] = "ok"
    return results


@never_cache
@require_safe
def healthz(request):
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(results, status=200 if healthy else 503)
