"""`manage.py worker_alive` answers 0 for a running worker and 1 once it stopped; /metrics lists its beat."""

import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

pytestmark = pytest.mark.worker


def test_worker_alive_succeeds_while_the_worker_runs_and_fails_once_it_stopped(start_celery_worker, settings):
    settings.FER_METRICS_TOKEN = "token"
    worker = start_celery_worker()

    call_command("worker_alive", hostname=worker.hostname, timeout=5)
    metrics = Client().get("/metrics", headers={"Authorization": "Bearer token"}).content.decode()
    assert (
        f'fer_worker_heartbeat_age_seconds{{worker="{worker.hostname.replace("%h", socket.gethostname())}"}}' in metrics
    )

    worker.stop()
    with pytest.raises(CommandError, match="no answer"):
        call_command("worker_alive", hostname=worker.hostname, timeout=1)
    with pytest.raises(CommandError):
        call_command("worker_alive", hostname="nobody@nowhere", timeout=1)
