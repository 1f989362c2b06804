"""The blurred copy of an analysed photo or clip: every detected face blurred (worker only)."""

import numpy as np
from PIL import Image

from analysis.jobs import storage
from analysis.jobs.runner import run_copy_job
from analysis.media import failures
from analysis.media.models import AnonymizedCopy, Media

JPEG_QUALITY = 90


def _wanted(copy: AnonymizedCopy, confidence: float | None) -> bool:
    # "Only faces below a confidence": a face whose emotion is uncertain is blurred, a clear one is not.
    return copy.below_confidence is None or confidence is None or confidence < copy.below_confidence


def _is_photo(copy: AnonymizedCopy) -> bool:
    return copy.media.kind == Media.Kind.PHOTO


def make_anonymized(media_id) -> None:
    """Blur every detected face of a photo, or every tracked face in every frame of a clip (worker only)."""
    run_copy_job(
        AnonymizedCopy.objects.select_related("media"),
        media_id,
        _write,
        name="anonymized",
        suffix=lambda copy: ".jpg" if _is_photo(copy) else ".mp4",
        item=lambda copy: "photo" if _is_photo(copy) else "clip",
        explain=failures.explain,
    )


def _write(copy: AnonymizedCopy, target: str) -> None:
    from ml.anonymize import Blur, anonymize_clip, blur_faces

    media = copy.media
    with storage.local_copy(media.file) as source:
        if _is_photo(copy):
            faces = [
                Blur(tuple(face.box), f"{face.emotion} {face.confidence:.0%}" if copy.show_emotion else "")
                for face in media.detections.faces()
                if _wanted(copy, face.confidence)
            ]
            with Image.open(source) as image:
                pixels = np.asarray(image.convert("RGB"))
            Image.fromarray(blur_faces(pixels, faces)).save(target, "JPEG", quality=JPEG_QUALITY)
        else:
            detections = media.detections.order_by("frame", "track").iterator(chunk_size=2000)
            rows = (d.as_row() for d in detections)
            kept = (row for row in rows if row.box is None or _wanted(copy, row.confidence))
            anonymize_clip(source, target, kept, info=media.video_info(), label=copy.show_emotion)
