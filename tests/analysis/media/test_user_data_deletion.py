"""delete_user_data removes every row and file of one user and nothing of anyone else's."""

from django.contrib.auth import get_user_model

from analysis.media.services import delete_user_data
from analysis.models import Detection, Media
from tests.analysis.helpers import finished_photo


def files_of(user, media_root):
    folder = media_root / "users" / str(user.pk)
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def test_it_deletes_all_of_one_users_rows_and_files(alice, bob, media_root, django_capture_on_commit_callbacks):
    for _ in range(3):
        finished_photo(alice, faces=2)
    bobs = finished_photo(bob)
    stray = media_root / "users" / str(alice.pk) / "interrupted-upload.jpg"
    stray.write_bytes(b"left behind by a crash")
    assert len(files_of(alice, media_root)) == 7

    with django_capture_on_commit_callbacks(execute=True):
        delete_user_data(alice)

    assert not Media.objects.filter(user=alice).exists()
    assert not Detection.objects.filter(media__user=alice).exists()
    assert not (media_root / "users" / str(alice.pk)).exists()
    assert list(Media.objects.all()) == [bobs]
    assert len(files_of(bob, media_root)) == 2


def test_deleting_a_user_by_any_route_removes_their_files(alice, media_root, django_capture_on_commit_callbacks):
    finished_photo(alice)
    assert files_of(alice, media_root)

    with django_capture_on_commit_callbacks(execute=True):
        get_user_model().objects.filter(pk=alice.pk).delete()  # e.g. from the admin: a cascade

    assert files_of(alice, media_root) == []


def test_a_rolled_back_delete_keeps_the_files(alice, media_root, django_capture_on_commit_callbacks):
    from django.db import transaction

    media = finished_photo(alice)
    pk, name = media.pk, media.file.name
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        media.delete()
        transaction.set_rollback(True)

    assert Media.objects.filter(pk=pk).exists()
    assert (media_root / name).exists()
