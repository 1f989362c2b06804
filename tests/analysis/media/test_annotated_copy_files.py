"""An annotated copy's file exists exactly while its row does: a clip deleted during the copy leaves no MP4."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

import ml.annotate_video
from analysis.media.annotating import make_annotated
from analysis.media.services import request_annotated
from analysis.models import AnnotatedCopy, Media
from tests.analysis.helpers import assert_deleting_leaves_no_file, assert_no_orphan_files


@pytest.fixture
def clip(alice):
    """An analysed clip's row with a stored file; the annotating itself is replaced (see `annotating`)."""
    media = Media(user=alice, kind=Media.Kind.VIDEO, status=Media.Status.DONE, content_type="video/mp4")
    media.file.save("clip.mp4", ContentFile(b"a clip"), save=False)
    media.save()
    request_annotated(media)
    return media


@pytest.fixture
def annotating(monkeypatch):
    """ml's annotate_clip writes a small file instead of decoding a real clip."""

    def annotate_clip(source, target, rows, **options):
        with open(target, "wb") as handle:
            handle.write(b"an annotated mp4")

    monkeypatch.setattr(ml.annotate_video, "annotate_clip", annotate_clip)


def delete_during_save(monkeypatch, media, capture):
    """Delete ``media`` (and commit: its files go) while the copy's MP4 is being written to storage."""
    real_save = FileSystemStorage._save

    def save(self, name, content):
        saved = real_save(self, name, content)
        if name.endswith("-annotated.mp4"):
            with capture(execute=True):
                Media.objects.filter(pk=media.pk).delete()
        return saved

    monkeypatch.setattr(FileSystemStorage, "_save", save)


def test_a_copy_made_normally_leaves_exactly_its_file(alice, clip, annotating, django_capture_on_commit_callbacks):
    make_annotated(clip.pk)

    assert AnnotatedCopy.objects.get(pk=clip.pk).status == "done"
    assert_no_orphan_files(alice)
    assert_deleting_leaves_no_file(clip, django_capture_on_commit_callbacks)


def test_a_clip_deleted_while_its_copy_is_written_leaves_no_file(
    alice, clip, annotating, monkeypatch, django_capture_on_commit_callbacks
):
    delete_during_save(monkeypatch, clip, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        make_annotated(clip.pk)

    assert not Media.objects.filter(pk=clip.pk).exists()
    assert not AnnotatedCopy.objects.exists()
    assert_no_orphan_files(alice)


def test_a_delete_that_read_the_copy_before_it_was_done_still_removes_its_file(
    alice, clip, annotating, django_capture_on_commit_callbacks
):
    # The race on PostgreSQL: the deleting request read the copy's row (no file yet) before the worker
    # committed the finished copy; its clean-up then knows nothing of the MP4.
    make_annotated(clip.pk)
    AnnotatedCopy.objects.filter(pk=clip.pk).update(file="")

    with django_capture_on_commit_callbacks(execute=True):
        Media.objects.filter(pk=clip.pk).delete()

    assert_no_orphan_files(alice)


def test_a_copy_made_again_replaces_the_earlier_file(alice, clip, annotating, django_capture_on_commit_callbacks):
    make_annotated(clip.pk)
    AnnotatedCopy.objects.get(pk=clip.pk).restart()  # the admin's re-queue

    make_annotated(clip.pk)

    copy = AnnotatedCopy.objects.get(pk=clip.pk)
    assert copy.status == "done" and copy.file.name.endswith(f"{clip.pk.hex}-annotated.mp4")
    assert_no_orphan_files(alice)
    assert_deleting_leaves_no_file(clip, django_capture_on_commit_callbacks)
