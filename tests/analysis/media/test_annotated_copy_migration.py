"""Migration 0003 turns each clip's annotated_status and file into an AnnotatedCopy row, stuck ones stale."""

import pytest
from django.utils import timezone

from tests.analysis.migrating import migrate, migrate_to_latest

BEFORE = [("analysis", "0002_clips")]
AFTER = [("analysis", "0003_annotated_copy_job")]


@pytest.mark.django_db(transaction=True)
def test_each_asked_for_copy_becomes_a_row_in_the_state_it_had(alice):
    old = migrate(BEFORE)
    Media = old.get_model("analysis", "Media")
    finished = timezone.now()
    made = {}
    for status in ("", "queued", "processing", "done", "failed"):
        made[status] = Media.objects.create(
            user_id=alice.pk,
            kind="video",
            status="done",
            file=f"users/{alice.pk}/{status or 'none'}.mp4",
            annotated=f"users/{alice.pk}/clips/{status}-annotated.mp4" if status == "done" else "",
            annotated_status=status,
            finished_at=finished,
        ).pk

    new = migrate(AFTER)
    try:
        copies = {copy.media_id: copy for copy in new.get_model("analysis", "AnnotatedCopy").objects.all()}

        assert made[""] not in copies
        assert {status: copies[pk].status for status, pk in made.items() if status} == {
            "queued": "queued",
            "processing": "processing",
            "done": "done",
            "failed": "failed",
        }
        assert copies[made["done"]].file.name == f"users/{alice.pk}/clips/done-annotated.mp4"
        assert copies[made["failed"]].error
        # The copy stuck in "processing" has the clip's finish time as its heartbeat: stale at once.
        assert copies[made["processing"]].heartbeat_at == finished
        assert copies[made["processing"]].attempts == 1
    finally:
        migrate_to_latest()
