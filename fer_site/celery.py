"""The Celery app: `celery -A fer_site worker` (add `-B` on one machine to run the sweeper)."""

import logging
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_process_shutdown, worker_shutdown
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fer_site.settings")
# `filesystem://` (the default broker) with whole-message writes: see fer_site/broker.py.
TRANSPORT_ALIASES["filesystem"] = "fer_site.broker:Transport"

logger = logging.getLogger(__name__)

app = Celery("fer_site")
# Every CELERY_* Django setting configures Celery, so the web process and the worker agree.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def load_model(**_kwargs):
    """Load the emotion model once per worker process, before its first task (never in the web)."""
    from ml.pipeline import warm_up

    try:
        warm_up()
    except Exception:
        # A pool process that raises here is replaced by one that raises again, forever. Log it and
        # keep serving: each task then fails with a message, and the log names the cause.
        logger.exception("Could not load the emotion model; analyses will fail until this is fixed")


@worker_init.connect
def private_temporary_folders(**_kwargs):
    """Each pool process keeps its temporary files in a folder of its own (analysis.scratch); a worker
    killed mid-task left its folder behind, and starting here removes every such abandoned folder."""
    from analysis import scratch

    scratch.enable()
    scratch.sweep_stale()


@worker_process_shutdown.connect
@worker_shutdown.connect
def remove_temporary_folder(**_kwargs):
    from analysis import scratch

    scratch.release()
