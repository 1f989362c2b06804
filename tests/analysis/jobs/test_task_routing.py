"""Every task runs on the default queue `celery`, except live frames and webhook deliveries, which have
queues of their own (`live`, `webhooks`)."""

import pytest

from analysis.jobs import dispatch
from fer_site.celery import app

TASKS = [
    dispatch.ANALYZE_MEDIA,
    dispatch.ANNOTATE_CLIP,
    dispatch.ANONYMIZE_MEDIA,
    dispatch.EXPORT_ACCOUNT,
    dispatch.SWEEP_STALE_JOBS,
    dispatch.SWEEP_PRIVACY,
    dispatch.ANALYZE_LIVE_FRAME,
    dispatch.DELIVER_WEBHOOK,
]
OWN_QUEUES = {dispatch.ANALYZE_LIVE_FRAME: "live", dispatch.DELIVER_WEBHOOK: "webhooks"}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_the_worker_registers_exactly_the_tasks_dispatch_names():
    import analysis.tasks  # noqa: F401  (what the worker loads: registers the tasks)

    assert {name for name in app.tasks if name.startswith("analysis.")} == set(TASKS)


@pytest.mark.parametrize("task_name", [name for name in TASKS if name not in OWN_QUEUES])
def test_jobs_go_to_the_default_queue(task_name):
    assert queue_of(task_name) == "celery"


def test_live_frames_go_to_the_live_queue():
    assert queue_of(dispatch.ANALYZE_LIVE_FRAME) == "live"


def test_webhook_deliveries_go_to_the_webhooks_queue():
    assert queue_of(dispatch.DELIVER_WEBHOOK) == "webhooks"


def test_the_development_server_and_the_test_worker_consume_every_queue():
    from tests.celery_worker import REPO_ROOT

    for path in ("analysis/management/commands/devserver.py", "tests/celery_worker.py"):
        assert '"celery,live,webhooks"' in (REPO_ROOT / path).read_text(), path
