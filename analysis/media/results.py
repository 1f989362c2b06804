"""What an analysis found: ``Detection``, a face at a time, one shape for photos, clips and live
recordings, with the queries the pages count and chart them by."""

from collections import Counter
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count

import ml
from ml.calibration import served_threshold
from ml.summary import Row

if TYPE_CHECKING:
    from analysis.media.models import Media


def confidence_of(probabilities: dict | None, emotion: str) -> float | None:
    """A row's top emotion's probability; None for a sampled instant without a face."""
    return float(probabilities.get(emotion, 0.0)) if probabilities else None


def uncertain_at(confidence: float | None) -> bool | None:
    """Whether a face of this confidence is as likely wrong as right; None without a face."""
    return None if confidence is None else confidence < served_threshold()


class DetectionQuerySet(models.QuerySet):
    def faces(self) -> "DetectionQuerySet":
        """Rows with a face (a clip's or a recording's sampled instant without one is left out)."""
        return self.exclude(track=None)

    def emotion_per_face(self) -> Counter:
        """How many faces showed each emotion most often: one per photo face, and one per person
        (track) of a clip or a recording, whose most frequent top emotion counts. One query."""
        per_face: dict[tuple, tuple[int, int, str]] = {}
        rank = {name: i for i, name in enumerate(ml.EMOTIONS)}
        groups = (
            self.faces()
            .order_by()  # no default ordering: it would join the GROUP BY
            .values("media_id", "track", "emotion")
            .annotate(n=Count("pk"))
            .values_list("media_id", "track", "emotion", "n")
        )
        for media_id, track, emotion, n in groups:
            key = (media_id, track)
            # Most rows wins; a tie goes to the emotion listed first in ml.EMOTIONS, whatever the order.
            candidate = (n, -rank.get(emotion, len(rank)), emotion)
            if key not in per_face or candidate > per_face[key]:
                per_face[key] = candidate
        return Counter(emotion for _, _, emotion in per_face.values())


class Detection(models.Model):
    """A face at a time: the one result shape of photos, clips and live recordings.

    The fields are ml.summary.ROW_FIELDS, in the same units (milliseconds, the item's pixels). A photo's
    face is frame 0 at time 0, its track the face's number counted left to right. A clip has a row per
    sampled frame and face, and one per sampled frame with no face (track, box and probabilities
    None). A live recording has a row per second (frame: the second, no box: the page keeps no
    pictures), track 1 where a face was seen.
    """

    media = models.ForeignKey("analysis.Media", on_delete=models.CASCADE, related_name="detections")
    frame = models.PositiveIntegerField()
    timestamp_ms = models.PositiveIntegerField()
    track = models.PositiveIntegerField(null=True, blank=True, help_text="None: no face in this frame.")
    box = models.JSONField(null=True, blank=True, help_text="[x, y, w, h] in the clip's pixels.")
    probabilities = models.JSONField(null=True, blank=True, help_text="The 7 emotions of ml.EMOTIONS.")
    emotion = models.CharField(max_length=10, blank=True)

    objects = DetectionQuerySet.as_manager()

    class Meta:
        ordering = ["media", "frame", "track"]
        indexes = [models.Index(fields=["media", "frame"])]

    def __str__(self):
        return f"frame {self.frame} track {self.track}: {self.emotion or 'no face'}"

    @classmethod
    def photo_faces(cls, media: "Media", faces) -> list["Detection"]:
        """Unsaved rows for a photo's ``faces`` (ml.pipeline.Face objects): frame 0 at time 0, the
        track numbering them left to right, the order the page draws and lists them in."""
        ordered = sorted(faces, key=lambda face: (face.box[0], face.box[1]))
        return [
            cls(
                media=media,
                frame=0,
                timestamp_ms=0,
                track=number,
                box=[int(v) for v in face.box],
                probabilities=dict(face.probabilities),
                emotion=face.emotion,
            )
            for number, face in enumerate(ordered, start=1)
        ]

    @property
    def confidence(self) -> float | None:
        """The top emotion's probability; None for a sampled instant without a face."""
        return confidence_of(self.probabilities, self.emotion)

    @property
    def uncertain(self) -> bool | None:
        """The top class is as likely wrong as right (ml.calibration's threshold, chosen on
        validation); None for a sampled instant without a face."""
        return uncertain_at(self.confidence)

    def as_row(self) -> Row:
        """The row as ml.summary.Row, the shape the ml side draws and summarises."""
        box = tuple(self.box) if self.box else None
        return Row(self.frame, self.timestamp_ms, self.track, box, self.probabilities, self.emotion)
