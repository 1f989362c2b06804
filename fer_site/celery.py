"""The Celery app: `celery -A fer_site worker` (add `-B` on one machine to run the sweeper).

Configuration only: the worker's start-up hooks are analysis.jobs.worker's (loaded with the tasks).
"""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fer_site.settings")
# `filesystem://` (the default broker) with whole-message writes: see analysis/jobs/transport.py.
TRANSPORT_ALIASES["filesystem"] = "analysis.jobs.transport:Transport"

app = Celery("fer_site")
# Every CELERY_* Django setting configures Celery, so the web process and the worker agree.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
