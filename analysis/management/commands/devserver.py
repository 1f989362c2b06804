"""`manage.py devserver`: the site, a Celery worker and the sweeper (beat) together, for development.

Production runs these as separate services (gunicorn; `celery worker` on any number of machines;
exactly one `celery beat`); see docs/operations.md.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run runserver plus one Celery worker with the sweeper; Ctrl-C stops all of them."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=1, help="Worker processes (each loads the model).")

    def handle(self, addrport, concurrency, **options):
        python = sys.executable
        worker = [
            python, "-m", "celery", "-A", "fer_site", "worker", "--beat", "--queues", "celery,live,webhooks",
            "--concurrency", str(concurrency), "--loglevel", "INFO",
            "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME,
        ]  # fmt: skip
        web = [python, "manage.py", "runserver", addrport]
        os.makedirs(os.path.dirname(settings.CELERY_BEAT_SCHEDULE_FILENAME), exist_ok=True)
        # `kill` (SIGTERM) stops the children too, as Ctrl-C does, instead of leaving them orphaned.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        children = [subprocess.Popen(worker), subprocess.Popen(web)]
        self.stdout.write(self.style.SUCCESS(f"Site on http://{addrport}/ with a worker and the sweeper."))
        interrupted = False
        try:
            # If either stops (a crash, a port in use), stop the other too rather than half-run.
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.returncode for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not interrupted:
            sys.exit(failed[0])
