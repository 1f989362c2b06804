"""The annotated copy of an analysed clip: its boxes and labels burnt into an MP4 (worker only)."""

from analysis.jobs import storage
from analysis.jobs.runner import run_copy_job
from analysis.media import failures
from analysis.media.models import AnnotatedCopy


def make_annotated(media_id) -> None:
    """Burn a clip's stored boxes and labels into an H.264 MP4 (worker only)."""
    jobs = AnnotatedCopy.objects.select_related("media")
    run_copy_job(jobs, media_id, _write, name="annotated", suffix=".mp4", item="clip", explain=failures.explain)


def _write(copy: AnnotatedCopy, target: str) -> None:
    from ml.annotate_video import annotate_clip

    media = copy.media
    rows = (d.as_row() for d in media.detections.order_by("frame", "track").iterator(chunk_size=2000))
    # PyAV reads and writes local files: a temporary copy of the clip in, a temporary MP4 out.
    with storage.local_copy(media.file) as source:
        annotate_clip(source, target, rows, info=media.video_info())
