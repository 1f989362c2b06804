"""The worker's start-up and shut-down hooks (worker only: analysis.tasks imports this module, and the
worker imports the tasks before it starts its pool).

The model is loaded once per pool process before its first task; each pool process keeps its temporary
files in a private folder; the main process writes a heartbeat that /metrics and `worker_alive` read.
"""

import logging
import threading

from celery.signals import worker_init, worker_process_init, worker_process_shutdown, worker_ready, worker_shutdown
from django.conf import settings

from analysis.jobs import broker, scratch

logger = logging.getLogger(__name__)


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
    """Each pool process keeps its temporary files in a folder of its own (analysis.jobs.scratch); a worker
    killed mid-task left its folder behind, and starting here removes every such abandoned folder."""
    scratch.enable()
    scratch.sweep_stale()


@worker_process_shutdown.connect
@worker_shutdown.connect
def remove_temporary_folder(**_kwargs):
    scratch.release()


_heartbeat_stop = threading.Event()
_heartbeat_threads: list[threading.Thread] = []


@worker_ready.connect
def start_heartbeat(sender=None, **_kwargs):
    """Beat from the worker's main process while it runs: /metrics lists workers by their beats."""
    hostname = sender.hostname
    queues = sorted(sender.app.amqp.queues.consume_from or sender.app.amqp.queues)
    interval = settings.FER_WORKER_HEARTBEAT_SECONDS

    def beat():
        while True:
            try:
                broker.write_heartbeat(hostname, queues, ttl_s=3 * interval)
            except Exception:
                logger.warning("Could not write this worker's heartbeat", exc_info=True)
            if _heartbeat_stop.wait(interval):
                break
        try:
            broker.forget_heartbeat(hostname)
        except Exception:
            logger.warning("Could not remove this worker's heartbeat", exc_info=True)

    _heartbeat_threads.append(threading.Thread(target=beat, name="fer-heartbeat", daemon=True))
    _heartbeat_threads[-1].start()


@worker_shutdown.connect
def stop_heartbeat(**_kwargs):
    """A worker stopped on purpose is forgotten at once, not after three missed beats."""
    _heartbeat_stop.set()
    for thread in _heartbeat_threads:
        thread.join(timeout=3)
