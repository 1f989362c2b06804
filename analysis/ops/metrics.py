"""GET /metrics: the Prometheus text format, computed at scrape time from the database and the broker.

Guarded by a bearer token (FER_METRICS_TOKEN); without one configured the page does not exist (404).
Histograms cover the jobs that finished (or started, for queue waits) within FER_METRICS_WINDOW_SECONDS:
they are computed from the rows, not counted as jobs run, so read them as they are
(`histogram_quantile(0.95, fer_job_duration_seconds_bucket)`), not through rate().
"""

import hmac
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from analysis.jobs import broker
from analysis.jobs.lifecycle import JobStatus
from analysis.media.models import AnnotatedCopy, Media

# Seconds: a photo takes well under one, a long clip many minutes.
BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)


def _job_kinds():
    """(label, queryset) of every kind of job; live recordings are stored finished, never queued."""
    media = Media.objects.exclude(kind=Media.Kind.LIVE)
    return [
        ("photo", media.filter(kind=Media.Kind.PHOTO)),
        ("clip", media.filter(kind=Media.Kind.VIDEO)),
        ("annotated", AnnotatedCopy.objects.all()),
    ]


def _histogram(name: str, documentation: str, rows: list[tuple]) -> HistogramMetricFamily:
    """Buckets of ``end - start`` over ``queryset`` for each (kind, queryset, start field, end field)
    row, counted by the database (one query per kind, whatever the number of jobs)."""
    family = HistogramMetricFamily(name, documentation, labels=["kind"])
    for kind, queryset, start, end in rows:
        spans = queryset.annotate(span=ExpressionWrapper(F(end) - F(start), output_field=DurationField())).exclude(
            span=None
        )
        counts = spans.aggregate(
            count=Count("pk"),
            total=Sum("span"),
            **{f"le{i}": Count("pk", filter=Q(span__lte=timedelta(seconds=b))) for i, b in enumerate(BUCKETS)},
        )
        buckets = [(str(b), counts[f"le{i}"]) for i, b in enumerate(BUCKETS)] + [("+Inf", counts["count"])]
        total = counts["total"].total_seconds() if counts["total"] else 0.0
        family.add_metric([kind], buckets, total)
    return family


class ScrapeCollector:
    """Every metric, read afresh at each scrape."""

    def collect(self):
        since = timezone.now() - timedelta(seconds=settings.FER_METRICS_WINDOW_SECONDS)
        jobs = GaugeMetricFamily("fer_jobs", "Jobs by kind and status.", labels=["kind", "status"])
        for kind, queryset in _job_kinds():
            counts = dict(queryset.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
            for status in JobStatus.values:
                jobs.add_metric([kind, status], counts.get(status, 0))
        yield jobs
        yield _histogram(
            "fer_job_duration_seconds",
            "Run time (claim to finish) of jobs done within the window, by kind.",
            [
                (kind, queryset.filter(status=JobStatus.DONE, finished_at__gte=since), "started_at", "finished_at")
                for kind, queryset in _job_kinds()
            ],
        )
        media_kinds = [(kind, queryset) for kind, queryset in _job_kinds() if kind != "annotated"]
        yield _histogram(
            "fer_job_queue_wait_seconds",
            "Wait from upload to a worker's (last) claim, of analyses started within the window, by kind.",
            [
                (kind, queryset.filter(started_at__gte=since), "created_at", "started_at")
                for kind, queryset in media_kinds
            ],
        )
        depth = GaugeMetricFamily("fer_queue_depth", "Messages waiting in each broker queue.", labels=["queue"])
        for queue, count in broker.queue_depths(broker.queues()).items():
            depth.add_metric([queue], count)
        yield depth
        yield from self._workers()

    def _workers(self):
        now = time.time()
        beats = broker.heartbeats()
        age = GaugeMetricFamily(
            "fer_worker_heartbeat_age_seconds", "Seconds since each worker's last heartbeat.", labels=["worker"]
        )
        for record in beats:
            age.add_metric([record["hostname"]], max(0.0, now - record["at"]))
        yield age
        fresh = 2 * settings.FER_WORKER_HEARTBEAT_SECONDS
        alive = GaugeMetricFamily("fer_workers_alive", f"Workers whose last heartbeat is under {fresh} s old.")
        alive.add_metric([], sum(now - record["at"] <= fresh for record in beats))
        yield alive


def _authorised(request) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), settings.FER_METRICS_TOKEN)


@never_cache
@require_safe
def metrics(request):
    if not settings.FER_METRICS_TOKEN:
        raise Http404("No such page.")
    if not _authorised(request):
        response = HttpResponse("A bearer token is needed.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ScrapeCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
