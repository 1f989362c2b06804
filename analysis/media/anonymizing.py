"""The blurred copy of an analysed photo or clip: every detected face blurred (worker only)."""

import numpy as np
from django.core.files.base import File
from PIL import Image

from analysis import storage
from analysis.jobs import heartbeat, record_failure
from analysis.models import AnonymizedCopy, Media

JPEG_QUALITY = 90


def _wanted(copy: AnonymizedCopy, confidence: float | None) -> bool:
    # "Only faces below a confidence": a face whose emotion is uncertain is blurred, a clear one is not.
    return copy.below_confidence is None or confidence is None or confidence < copy.below_confidence


def make_anonymized(media_id) -> None:
    """Blur every detected face of a photo, or every tracked face in every frame of a clip (worker only)."""
    from ml.anonymize import Blur, anonymize_clip, blur_faces

    copy = AnonymizedCopy.objects.select_related("media").filter(pk=media_id).first()
    if copy is None or not copy.mark_processing():  # gone, finished, or another live worker has it
        return
    media = copy.media
    photo = media.kind == Media.Kind.PHOTO
    try:
        with heartbeat(copy), storage.local_copy(media.file) as source:
            suffix = ".jpg" if photo else ".mp4"
            with storage.scratch_file(suffix) as target:
                if photo:
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
                with open(target, "rb") as handle:
                    copy.mark_done(f"anonymized{suffix}", File(handle))
    except Exception as exc:
        record_failure(copy, exc, item="photo" if photo else "clip", again="ask for it again")
