"""Every file goes through the storage API: a storage with no local paths (like a bucket) serves all."""

import pytest
from django.core.files.storage import default_storage

from analysis.media.annotating import make_annotated
from analysis.media.services import delete_user_data, request_annotated
from analysis.models import AnnotatedCopy, Media
from tests.analysis.clips import analysed_clip, api_client
from tests.analysis.helpers import finished_photo


@pytest.fixture(autouse=True)
def bucket_like_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.analysis.remote_storage.NoPathStorage"}}
    with pytest.raises(NotImplementedError):
        default_storage.path("anything")


def test_a_clip_is_analysed_and_annotated_from_a_storage_without_paths(alice, tmp_path):
    media = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)
    assert media.status == Media.Status.DONE, media.error
    assert default_storage.exists(media.playable.name) and default_storage.exists(media.thumbnail.name)

    assert request_annotated(media)
    make_annotated(media.pk)

    copy = AnnotatedCopy.objects.get(pk=media.pk)
    assert copy.status == "done", copy.error
    served = api_client(alice).get(f"/files/{media.pk}/annotated/")
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"


def test_a_users_files_are_deleted_from_a_storage_without_paths(alice, bob, django_capture_on_commit_callbacks):
    alices = finished_photo(alice)
    bobs = finished_photo(bob)
    default_storage.save(f"users/{alice.pk}/interrupted-upload.jpg", alices.file.open("rb"))

    with django_capture_on_commit_callbacks(execute=True):
        delete_user_data(alice)

    assert default_storage.listdir("users")[0] == [str(bob.pk)]
    assert default_storage.exists(bobs.file.name)
