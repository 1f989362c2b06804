"""Rows for API and isolation tests, made without running the model; the no-orphan-file check."""

from pathlib import Path

from django.conf import settings

import ml
from analysis.media.services import create_media
from analysis.models import AnnotatedCopy, AnonymizedCopy, Detection, Media, user_folder
from ml.pipeline import Face
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


def probabilities(top: str, p: float) -> dict:
    """Seven probabilities summing to 1: ``p`` for ``top``, the rest shared equally."""
    rest = (1 - p) / (len(ml.EMOTIONS) - 1)
    return {name: (p if name == top else rest) for name in ml.EMOTIONS}


def finished_photo(user, faces: int = 1) -> Media:
    """A stored photo of ``user`` marked done with ``faces`` happy faces, as a worker would leave it."""
    media = create_media(user, upload(encode(astronaut())))
    media.mark_processing()
    media.mark_done(
        [Face((10 + 60 * i, 20, 50, 50), PROBABILITIES, "happy", 0.7) for i in range(faces)],
        model_version="test",
        timings={"detect_ms": 1.0, "classify_ms": 2.0},
    )
    return media


def add_photo_faces(media: Media, *faces: tuple[tuple[int, int, int, int], dict]) -> list[Detection]:
    """Store (box, probabilities) pairs as ``media``'s faces, as a worker would (left to right)."""
    found = [Face(box, probs, max(probs, key=probs.get), max(probs.values())) for box, probs in faces]
    return Detection.objects.bulk_create(Detection.photo_faces(media, found))


def assert_no_orphan_files(user) -> None:
    """The user's media folder holds exactly the files their rows reference: none missing, none left over."""
    folder = Path(settings.MEDIA_ROOT) / user_folder(user.pk)
    stored = {path.relative_to(settings.MEDIA_ROOT).as_posix() for path in folder.rglob("*") if path.is_file()}
    referenced = {
        name
        for media in Media.objects.filter(user=user)
        for name in (media.file.name, media.thumbnail.name, media.playable.name)
        if name
    }
    referenced |= {copy.file.name for copy in AnnotatedCopy.objects.filter(media__user=user) if copy.file}
    referenced |= {copy.file.name for copy in AnonymizedCopy.objects.filter(media__user=user) if copy.file}
    assert stored == referenced, f"orphans: {sorted(stored - referenced)}, missing: {sorted(referenced - stored)}"


def assert_deleting_leaves_no_file(media, capture_on_commit_callbacks) -> None:
    """Delete ``media`` (committed: its files go) and check its user's folder holds no file of it."""
    with capture_on_commit_callbacks(execute=True):
        media.delete()
    assert_no_orphan_files(media.user)
