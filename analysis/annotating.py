"""The annotated copy of an analysed clip: its boxes and labels burnt into an MP4 (worker only)."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.files.base import File

from analysis.models import Media
from ml import video

logger = logging.getLogger(__name__)


def make_annotated(media_id) -> None:
    """Burn a clip's stored boxes and labels into an H.264 MP4 (worker only)."""
    from ml.annotate_video import annotate_clip

    if Media.objects.filter(pk=media_id, annotated_status="queued").update(annotated_status="processing") != 1:
        return
    media = Media.objects.get(pk=media_id)
    folder = Path(settings.MEDIA_ROOT) / "users" / str(media.user_id) / "clips"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f".{media.pk.hex}.annotated.partial.mp4"
    rows = (
        video.Row(d.frame, d.timestamp_ms, d.track, d.box, d.probabilities, d.emotion)
        for d in media.detections.order_by("frame", "track").iterator(chunk_size=2000)
    )
    try:
        annotate_clip(media.file.path, target, rows)
        with target.open("rb") as handle:
            media.annotated.save("annotated.mp4", File(handle), save=False)
        Media.objects.filter(pk=media.pk).update(annotated=media.annotated.name, annotated_status="done")
    except Exception:
        logger.exception("Annotated copy of clip %s failed", media_id)
        Media.objects.filter(pk=media_id).update(annotated_status="failed")
    finally:
        target.unlink(missing_ok=True)
