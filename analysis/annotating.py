"""The annotated copy of an analysed clip: its boxes and labels burnt into an MP4 (worker only)."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.files.base import File

from analysis.jobs import heartbeat, record_failure
from analysis.models import AnnotatedCopy
from ml import video

logger = logging.getLogger(__name__)


def make_annotated(media_id) -> None:
    """Burn a clip's stored boxes and labels into an H.264 MP4 (worker only)."""
    from ml.annotate_video import annotate_clip

    copy = AnnotatedCopy.objects.select_related("media").filter(pk=media_id).first()
    if copy is None or not copy.mark_processing():  # gone, finished, or another live worker has it
        return
    media = copy.media
    folder = Path(settings.MEDIA_ROOT) / "users" / str(media.user_id) / "clips"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f".{media.pk.hex}.annotated.partial.mp4"
    rows = (
        video.Row(d.frame, d.timestamp_ms, d.track, d.box, d.probabilities, d.emotion)
        for d in media.detections.order_by("frame", "track").iterator(chunk_size=2000)
    )
    try:
        with heartbeat(copy):
            annotate_clip(media.file.path, target, rows)
            with target.open("rb") as handle:
                copy.mark_done("annotated.mp4", File(handle))
    except Exception as exc:
        record_failure(copy, exc, item="clip", again="ask for it again")
    finally:
        target.unlink(missing_ok=True)
