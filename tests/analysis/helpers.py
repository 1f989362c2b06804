"""Rows for API and isolation tests, made without running the model."""

from analysis.models import Face, Media
from analysis.services import create_media
from tests.photos import astronaut, encode, upload

PROBABILITIES = {
    "angry": 0.05,
    "disgust": 0.01,
    "fear": 0.04,
    "happy": 0.7,
    "sad": 0.05,
    "surprise": 0.05,
    "neutral": 0.1,
}


def finished_photo(user, faces: int = 1) -> Media:
    """A stored photo of ``user`` marked done with ``faces`` happy faces, as a worker would leave it."""
    media = create_media(user, upload(encode(astronaut())))
    media.mark_processing()
    media.mark_done(
        [Face(x=10 + 60 * i, y=20, w=50, h=50, probabilities=PROBABILITIES, emotion="happy", confidence=0.7)
         for i in range(faces)],
        model_version="test",
        timings={"detect_ms": 1.0, "classify_ms": 2.0},
    )  # fmt: skip
    return media
