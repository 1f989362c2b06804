"""What every background job shares while a worker holds it: the heartbeat."""

import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone

from analysis.models import Media


class heartbeat:
    """Refresh heartbeat_at in a background thread while a job runs, so the sweeper leaves it alone."""

    def __init__(self, pk):
        self.pk = pk
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        interval = max(settings.FER_JOB_STALE_SECONDS / 4, 0.5)
        try:
            while not self.stop.wait(interval):
                Media.objects.filter(pk=self.pk, status=Media.Status.PROCESSING).update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()
