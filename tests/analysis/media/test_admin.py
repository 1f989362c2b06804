"""The admin lists users, media and faces, and deleting there removes files too (`admin_client`:
pytest-django's client logged in as a superuser)."""

import pytest

from analysis.models import Media
from tests.analysis.helpers import finished_photo


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/analysis/media/", "/admin/analysis/detection/"])
def test_the_admin_lists_show(admin_client, alice, url):
    finished_photo(alice, faces=2)

    assert admin_client.get(url).status_code == 200


def test_the_admin_shows_an_item_with_its_faces(admin_client, alice):
    media = finished_photo(alice, faces=2)

    response = admin_client.get(f"/admin/analysis/media/{media.pk}/change/")

    assert response.status_code == 200
    assert response.content.count(b"happy") >= 2


def test_deleting_in_the_admin_removes_the_files(admin_client, alice, media_root, django_capture_on_commit_callbacks):
    media = finished_photo(alice)
    stored = media_root / media.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/analysis/media/{media.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Media.objects.exists()
    assert not stored.exists()


def test_the_admin_requeues_an_item_through_its_model_and_sends_it_again(
    admin_client, alice, settings, sent_tasks, django_capture_on_commit_callbacks
):
    media = finished_photo(alice, faces=2)
    Media.objects.filter(pk=media.pk).update(attempts=3)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/analysis/media/", {"action": "requeue", "_selected_action": [str(media.pk)]}
        )

    assert response.status_code == 302
    media.refresh_from_db()
    assert (media.status, media.attempts, media.error, media.detections.count()) == ("queued", 0, "", 0)
    assert sent_tasks == [("analysis.tasks.analyze_media", [str(media.pk)], settings.FER_TASK_TIME_LIMIT)]


def test_the_admin_makes_a_failed_annotated_copy_again(
    admin_client, alice, settings, sent_tasks, django_capture_on_commit_callbacks
):
    from analysis.models import AnnotatedCopy

    clip = Media.objects.create(user=alice, kind="video", status="done", file=f"users/{alice.pk}/clip.mp4")
    copy = AnnotatedCopy.objects.create(media=clip, status="failed", attempts=3, error="The stored clip is missing.")

    assert admin_client.get("/admin/analysis/annotatedcopy/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/analysis/annotatedcopy/", {"action": "requeue", "_selected_action": [str(clip.pk)]})

    copy.refresh_from_db()
    assert (copy.status, copy.attempts, copy.error) == ("queued", 0, "")
    assert sent_tasks == [("analysis.tasks.annotate_clip", [str(clip.pk)], settings.FER_VIDEO_TASK_TIME_LIMIT)]
