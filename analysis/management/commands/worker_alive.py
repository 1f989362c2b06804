"""`manage.py worker_alive`: exit 0 when this machine's worker answers, 1 otherwise (a liveness probe).

With a broker that carries remote control (Redis), the worker is pinged through it (`celery inspect
ping`): the answer comes from its consumer, so a worker whose main loop is stuck fails. The filesystem
broker has no remote control; there the worker's heartbeat (analysis.jobs.broker) must be fresh.
"""

import socket
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analysis.jobs import broker
from fer_site.celery import app


class Command(BaseCommand):
    help = "Exit 0 when the Celery worker named --hostname answers within --timeout seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hostname", default="celery@%h", help="The worker's node name as given to `celery worker -n` (%%h: host)."
        )
        parser.add_argument("--timeout", type=float, default=2.0)

    def handle(self, hostname, timeout, **options):
        name = hostname.replace("%h", socket.gethostname())
        if getattr(settings, "CELERY_WORKER_ENABLE_REMOTE_CONTROL", True):
            replies = app.control.ping(destination=[name], timeout=timeout)
            alive = any(name in reply for reply in replies)
            how = "ping"
        else:
            fresh = 2 * settings.FER_WORKER_HEARTBEAT_SECONDS
            beats = [beat for beat in broker.heartbeats() if beat["hostname"] == name]
            alive = bool(beats) and time.time() - beats[0]["at"] <= fresh
            how = f"heartbeat under {fresh} s old"
        if not alive:
            raise CommandError(f"{name}: no answer ({how})", returncode=1)
        self.stdout.write(f"{name}: alive ({how})")
