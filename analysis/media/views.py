"""Web pages: landing, upload, gallery, detail, delete, dashboard.

Every read of a user's media starts from Media.objects.for_user(request.user), so another user's
item is a 404 on every page. Work that changes data goes through analysis.services.
"""

import logging
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

import ml
from analysis.jobs import bucket
from analysis.web.errors import STORAGE_RETRY_AFTER_S
from ml.video_io import duration_text

from . import activity, anonymize, timeline
from .forms import GalleryFilterForm, UploadForm
from .models import Detection, Media, collections_of, owned_collection
from .services import UploadRejected, cancel_media, create_media, delete_media, request_annotated
from .throttles import UploadThrottle
from .uploads import size_text

logger = logging.getLogger(__name__)

# 24 tiles fill whole rows of 2, 3, 4 and 6 columns: phone, tablet and desktop grids alike.
GALLERY_PAGE_SIZE = 24
# The dashboard's activity chart; a month shows a habit without squeezing bars to hairlines.
ACTIVITY_DAYS = 30
# Fields the gallery shows; only() keeps the large JSON columns (timings) out of every tile.
TILE_FIELDS = (
    "id",
    "kind",
    "status",
    "original_name",
    "thumbnail",
    "created_at",
    "face_count",
    "dominant_emotion",
    "progress",
    "duration_ms",
)
# A placeholder UUID the JS swaps for a real id, so it builds URLs from reverse()d templates.
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
# The upload page's answer to a storage outage (the API's is a JSON 503: analysis.web.errors).
STORAGE_DOWN = "Storage is unavailable right now; nothing was saved. Try again in a minute."
STORAGE_DOWN_PARTLY = "Storage is unavailable right now; the files marked below were not saved. Try again in a minute."
NOT_SAVED = "Storage is unavailable right now; not saved."


def home(request):
    if request.user.is_authenticated:
        return redirect("analysis:dashboard")
    return render(request, "analysis/home.html")


@dataclass(frozen=True)
class UploadResult:
    name: str
    accepted: bool
    message: str
    media: Media | None = None


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """Without JavaScript the form posts here; each file is accepted or rejected on its own."""
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user)
    else:
        form = UploadForm(user=request.user, initial={"collection": request.GET.get("collection", "")})
    results: list[UploadResult] = []
    storage_down = False
    if request.method == "POST" and form.is_valid():
        # The API's per-user upload budget (FER_UPLOAD_RATE), counted per file in the same cache
        # entry, so the plain form is no way around the limit and the two paths share one budget.
        throttle = UploadThrottle()
        for uploaded in form.cleaned_data["file"]:
            if storage_down:  # the rest of the batch would only wait out the same deadline
                results.append(UploadResult(uploaded.name, False, NOT_SAVED))
                continue
            if not throttle.allow_request(request, None):
                wait = math.ceil(throttle.wait() or 1)
                results.append(
                    UploadResult(uploaded.name, False, f"Too many uploads in a short time; try again in {wait} s.")
                )
                continue
            try:
                media = create_media(
                    request.user,
                    uploaded,
                    sample_fps=0.0 if form.cleaned_data["every_frame"] else None,
                    keep_media=form.cleaned_data["keep_media"] or None,
                    collection=owned_collection(request.user, form.cleaned_data["collection"] or None),
                )
            except UploadRejected as exc:
                results.append(UploadResult(uploaded.name, False, str(exc)))
            except Exception as exc:
                # The bucket down or hung (past FER_STORAGE_DEADLINE_S): create_media rolled back and
                # stored nothing. The same test as the API's 503 (analysis.web.errors); anything else
                # is a bug and raises.
                if not bucket.is_unavailable(exc):
                    raise
                logger.warning("Storage unavailable during an upload from the page: %r", exc)
                storage_down = True
                results.append(UploadResult(uploaded.name, False, NOT_SAVED))
            else:
                activity.record(request, activity.Action.MEDIA_UPLOADED, activity.item_detail(media))
                results.append(UploadResult(uploaded.name, True, "Accepted: analysis queued.", media))
        # An empty picker for the next batch, into the same collection.
        form = UploadForm(user=request.user, initial={"collection": form.cleaned_data["collection"]})
    context = {
        "form": form,
        "results": results,
        "accepted": sum(r.accepted for r in results),
        "rejected": sum(not r.accepted for r in results),
        "api_url": reverse("api:media-list"),
        "detail_template": reverse("analysis:detail", args=[PLACEHOLDER_ID]),
        "clip_limit": duration_text(settings.FER_MAX_VIDEO_SECONDS),
        "photo_size": size_text(settings.FER_MAX_UPLOAD_BYTES),
        "clip_size": size_text(settings.FER_MAX_VIDEO_BYTES),
    }
    if storage_down:
        # 503, as the API answers: the form again, with what was not saved and when to try again.
        context["storage_down"] = STORAGE_DOWN_PARTLY if context["accepted"] else STORAGE_DOWN
        response = render(request, "analysis/upload.html", context, status=503)
        response["Retry-After"] = str(STORAGE_RETRY_AFTER_S)
        return response
    # 200 even when a file was rejected: the page itself worked and reports each file's fate.
    return render(request, "analysis/upload.html", context)


@login_required
def gallery(request):
    form = GalleryFilterForm.from_query(request.GET)
    # Newest first, with the id as a tie-breaker so pages never repeat or skip items that share a
    # timestamp. Every tile reads only columns of its own row: the query count per page is constant.
    items = form.apply(Media.objects.for_user(request.user)).only(*TILE_FIELDS).order_by("-created_at", "-id")
    invalid = form.is_bound and not form.is_valid()
    if invalid:
        # An unknown filter answers its error and lists nothing, as the API's 400 does, rather than
        # everything under a filter that was not applied.
        items = items.none()
    page = Paginator(items, GALLERY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "api_template": reverse("api:media-detail", args=[PLACEHOLDER_ID]),
    }
    return render(request, "analysis/gallery.html", context, status=400 if invalid else 200)


def _probability_rows(face: Detection) -> list[dict]:
    probabilities = face.probabilities or {}
    return [
        {
            "emotion": name,
            "value": float(probabilities.get(name, 0.0)),
            "percent": 100 * float(probabilities.get(name, 0.0)),
        }
        for name in ml.EMOTIONS
    ]


def _timing_rows(timings: dict) -> list[tuple[str, str]]:
    """The worker's timings (seconds or milliseconds by key suffix) as readable label/value pairs."""
    rows = []
    for key, value in (timings or {}).items():
        if not isinstance(value, (int, float)):
            continue
        label = key.removesuffix("_ms").removesuffix("_s").removesuffix("_seconds").replace("_", " ").capitalize()
        ms = value if key.endswith("_ms") else value * 1000
        # The unit _duration gives "Upload to result", so 22.3 s never sits beside "22,255 ms".
        rows.append((label, _duration(ms / 1000) if ms >= 10 else f"{ms:.1f} ms"))
    return rows


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds * 1000:,.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@login_required
def detail(request, pk):
    media = get_object_or_404(Media.objects.for_user(request.user), pk=pk)
    if media.kind == Media.Kind.LIVE:
        return timeline.recording_detail(request, media)
    # Numbered left to right when stored, the order the boxes are drawn in, so "face 2" means the
    # same box in the picture and in the list beside it.
    faces = media.photo_faces
    data = {
        "id": str(media.pk),
        "status": media.status,
        "width": media.width,
        "height": media.height,
        "api": reverse("api:media-detail", args=[media.pk]),
        "faces": [
            {"box": face.box, "emotion": face.emotion, "confidence": face.confidence, "uncertain": face.uncertain}
            for face in faces
        ],
    }
    if media.kind == Media.Kind.VIDEO:
        data.update(
            {
                "kind": "video",
                "player": media.playable_url(),
                "detections": reverse("api:media-detections", args=[media.pk]),
                "duration_ms": media.duration_ms,
                "tracks": media.tracks,
                "emotions": list(ml.EMOTIONS),
            }
        )
    total = None
    if media.finished_at and media.created_at:
        total = _duration((media.finished_at - media.created_at).total_seconds())
    context = {
        "media": media,
        "faces": [{"face": face, "rows": _probability_rows(face)} for face in faces],
        "media_data": data,
        "timings": _timing_rows(media.timings),
        "total": total,
        "tracks": [
            {
                **track,
                "shares": _share_rows(track["shares"]),
                "first_s": track["first_timestamp_ms"] / 1000,
                "last_s": track["last_timestamp_ms"] / 1000,
            }
            for track in media.tracks or []
        ],
        "duration_s": (media.duration_ms or 0) / 1000,
        "exports": {
            "csv": reverse("api:media-export-csv", args=[media.pk]),
            "json": reverse("api:media-export-json", args=[media.pk]),
            "csv_name": media.download_name("detections", "csv"),
            "json_name": media.download_name("detections", "json"),
            "annotated_name": media.download_name("annotated", "mp4"),
        },
        "anonymized": anonymize.anonymized_context(media, request),
        # The label and collection form (its view is analysis.collections.views.item_label).
        "collections": collections_of(request.user),
        "emotions": list(ml.EMOTIONS),
    }
    return render(request, "analysis/detail.html", context)


def _share_rows(shares: dict) -> list[dict]:
    return [{"emotion": name, "percent": 100 * float(shares.get(name, 0.0))} for name in ml.EMOTIONS]


@login_required
@require_http_methods(["POST"])
def cancel(request, pk):
    media = get_object_or_404(Media.objects.for_user(request.user), pk=pk)
    if cancel_media(media):
        messages.success(request, "The analysis was cancelled; what was found so far is kept.")
    else:
        messages.info(request, "The analysis had already finished.")
    return redirect("analysis:detail", pk=media.pk)


@login_required
@require_http_methods(["POST"])
def annotate(request, pk):
    media = get_object_or_404(Media.objects.for_user(request.user), pk=pk)
    if request_annotated(media):
        messages.success(request, "The annotated video is being made; this page shows it when it is ready.")
    return redirect("analysis:detail", pk=media.pk)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    media = get_object_or_404(Media.objects.for_user(request.user), pk=pk)
    if request.method == "POST":
        name = media.original_name or "The photo"
        detail = activity.item_detail(media)  # before the delete clears its id
        delete_media(media)
        activity.record(request, activity.Action.MEDIA_DELETED, detail)
        messages.success(request, f"{name} and its results were deleted.")
        return redirect("analysis:gallery")
    return render(request, "analysis/delete.html", {"media": media})


# Chart geometry is in SVG user units. 360 wide is about the card's width on a desktop, so the text
# is drawn near its CSS size there and still readable when the card shrinks to a phone's width.
CHART_WIDTH = 360


def _bar_chart(rows: list[dict], *, width: int = CHART_WIDTH, bar: int = 22, gap: int = 8, label_w: int = 68) -> dict:
    """Geometry for a horizontal SVG bar chart drawn by the template (no chart library)."""
    value_w = 76
    top = max((row["value"] for row in rows), default=0) or 1
    span = width - label_w - value_w
    bars = []
    for i, row in enumerate(rows):
        y = i * (bar + gap)
        bars.append({**row, "y": y, "text_y": y + bar / 2 + 4, "w": round(span * row["value"] / top, 1)})
    return {
        "width": width,
        "height": max(1, len(rows) * (bar + gap) - gap),
        "bar": bar,
        "label_w": label_w,
        "track_w": span,
        "value_x": width - value_w + 8,
        "bars": bars,
    }


def _activity_chart(per_day: dict, days: int, *, width: int = CHART_WIDTH, height: int = 120) -> dict:
    """Geometry for a column chart of uploads per day over the last ``days`` days (its axis labels
    and a text summary for screen readers beside it)."""
    today = timezone.localdate()
    dates = [today - timedelta(days=days - 1 - i) for i in range(days)]
    busiest = max(per_day.values(), default=0)
    # The axis tops at an even count, so its middle tick is a whole number too.
    top = max(2, busiest + busiest % 2)
    slot = width / days
    columns = []
    for i, day in enumerate(dates):
        n = per_day.get(day, 0)
        h = round(height * n / top, 1)
        x, w = round(i * slot + 1, 1), round(slot - 2, 1)
        columns.append({"x": x, "w": w, "h": h, "y": height - h, "n": n, "day": day})
    total = sum(per_day.get(day, 0) for day in dates)
    summary = f"{total} upload{'s' if total != 1 else ''} in the last {days} days"
    if busiest:
        peak = max(dates, key=lambda day: (per_day.get(day, 0), day))
        summary += f"; the busiest day was {peak:%d %b} with {busiest}"
    return {
        "width": width,
        "height": height,
        "grid": [0, height / 2, height],
        "columns": columns,
        "top": top,
        "first": dates[0],
        "middle": dates[days // 2],
        "last": dates[-1],
        "summary": summary + ".",
    }


def _most_often(rows: list[dict]) -> list[str]:
    """Every emotion with the highest count: a tie names them all, never one of them at random."""
    top = max(row["value"] for row in rows)
    return [row["emotion"] for row in rows if row["value"] == top]


@login_required
def dashboard(request):
    items = Media.objects.for_user(request.user)
    counts = items.aggregate(
        total=Count("id"),
        photos=Count("id", filter=Q(kind=Media.Kind.PHOTO)),
        done=Count("id", filter=Q(status=Media.Status.DONE)),
        failed=Count("id", filter=Q(status=Media.Status.FAILED)),
        active=Count("id", filter=Q(status__in=[Media.Status.QUEUED, Media.Status.PROCESSING])),
        clips=Count("id", filter=Q(kind=Media.Kind.VIDEO)),
        recordings=Count("id", filter=Q(kind=Media.Kind.LIVE)),
        people=Sum("people", filter=Q(kind=Media.Kind.VIDEO)),
    )
    # Counted per face, not per item: a group photo says more about expressions than one dominant
    # label would. A face is a photo's face or a person (track) in a clip or a recording, with the
    # emotion it showed most often; the count and the chart come from this one query, so they agree.
    # The subquery keeps the access rule in for_user.
    per_emotion = Detection.objects.filter(media__in=items).emotion_per_face()
    face_total = sum(per_emotion.values())
    rows = [
        {
            "emotion": name,
            "value": per_emotion.get(name, 0),
            "percent": 100 * per_emotion.get(name, 0) / face_total if face_total else 0,
        }
        for name in ml.EMOTIONS
    ]
    since = timezone.now() - timedelta(days=ACTIVITY_DAYS)
    per_day = dict(
        items.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    recent = items.only(*TILE_FIELDS).order_by("-created_at", "-id")[:6]
    context = {
        "counts": {**counts, "faces": face_total, "people": counts["people"] or 0},
        "emotions": _bar_chart(rows),
        "face_total": face_total,
        "top_emotions": _most_often(rows) if face_total else [],
        "activity": _activity_chart(per_day, ACTIVITY_DAYS),
        "activity_days": ACTIVITY_DAYS,
        "recent": recent,
        "api_template": reverse("api:media-detail", args=[PLACEHOLDER_ID]),
    }
    return render(request, "analysis/dashboard.html", context)
