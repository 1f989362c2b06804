"""Migrations 0004-0005 turn photos' Face rows into Detection rows (frame 0 at time 0, numbered left to
right) beside the clips' and live recordings' rows, which stay as they were; and back again."""

import pytest
from django.db import connection

from tests.analysis.helpers import probabilities
from tests.analysis.migrating import migrate, migrate_to_latest

BEFORE = [("analysis", "0003_annotated_copy_job")]
AFTER = [("analysis", "0005_remove_face")]


def _rows(apps, media_id):
    Detection = apps.get_model("analysis", "Detection")
    return list(
        Detection.objects.filter(media_id=media_id)
        .order_by("frame", "track")
        .values_list("frame", "timestamp_ms", "track", "box", "emotion")
    )


@pytest.mark.django_db(transaction=True)
def test_photos_clips_and_recordings_end_with_one_result_shape(alice):
    old = migrate(BEFORE)
    Media, Face, Detection = (old.get_model("analysis", name) for name in ("Media", "Face", "Detection"))
    photo = Media.objects.create(user_id=alice.pk, kind="photo", status="done", file="p.jpg", face_count=2)
    # Stored right one first: the migration numbers them left to right all the same.
    for x, emotion in ((300, "sad"), (20, "happy")):
        Face.objects.create(
            media=photo,
            x=x,
            y=5,
            w=50,
            h=60,
            probabilities=probabilities(emotion, 0.8),
            emotion=emotion,
            confidence=0.8,
        )
    clip = Media.objects.create(user_id=alice.pk, kind="video", status="done", file="c.mp4")
    Detection.objects.create(media=clip, frame=0, timestamp_ms=0)
    Detection.objects.create(
        media=clip,
        frame=3,
        timestamp_ms=100,
        track=1,
        box=[1, 2, 30, 30],
        probabilities=probabilities("fear", 0.6),
        emotion="fear",
    )
    live = Media.objects.create(user_id=alice.pk, kind="live", status="done", file="")
    Detection.objects.create(
        media=live, frame=0, timestamp_ms=0, track=1, probabilities=probabilities("happy", 0.7), emotion="happy"
    )
    empty = Media.objects.create(user_id=alice.pk, kind="photo", status="done", file="e.jpg", face_count=0)
    clip_rows, live_rows = _rows(old, clip.pk), _rows(old, live.pk)

    new = migrate(AFTER)
    try:
        assert _rows(new, photo.pk) == [(0, 0, 1, [20, 5, 50, 60], "happy"), (0, 0, 2, [300, 5, 50, 60], "sad")]
        stored = new.get_model("analysis", "Detection").objects.get(media_id=photo.pk, track=1)
        assert stored.probabilities == probabilities("happy", 0.8)
        assert _rows(new, clip.pk) == clip_rows and _rows(new, live.pk) == live_rows
        assert _rows(new, empty.pk) == []
        assert "analysis_face" not in connection.introspection.table_names()

        back = migrate(BEFORE)
        faces = back.get_model("analysis", "Face").objects.filter(media_id=photo.pk).order_by("x")
        assert [(f.x, f.emotion, f.confidence) for f in faces] == [(20, "happy", 0.8), (300, "sad", 0.8)]
        assert _rows(back, photo.pk) == [] and _rows(back, clip.pk) == clip_rows
    finally:
        migrate_to_latest()
