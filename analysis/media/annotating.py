"""The annotated copy of an analysed clip: its boxes and labels burnt into an MP4 (worker only)."""

from django.core.files.base import File

from analysis import storage
from analysis.jobs import heartbeat, record_failure
from analysis.models import AnnotatedCopy


def make_annotated(media_id) -> None:
    """Burn a clip's stored boxes and labels into an H.264 MP4 (worker only)."""
    from ml.annotate_video import annotate_clip

    copy = AnnotatedCopy.objects.select_related("media").filter(pk=media_id).first()
    if copy is None or not copy.mark_processing():  # gone, finished, or another live worker has it
        return
    media = copy.media
    rows = (d.as_row() for d in media.detections.order_by("frame", "track").iterator(chunk_size=2000))
    try:
        # PyAV reads and writes local files: a temporary copy of the clip in, a temporary MP4 out.
        with heartbeat(copy), storage.local_copy(media.file) as source, storage.scratch_file(".mp4") as target:
            annotate_clip(source, target, rows, info=media.video_info())
            with open(target, "rb") as handle:
                copy.mark_done("annotated.mp4", File(handle))
    except Exception as exc:
        record_failure(copy, exc, item="clip", again="ask for it again")
