"""The pages of a clip: progress and cancel while it runs, player, people and exports when done."""

from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.clips import analysed_clip
from tests.videos import clip_file, clip_upload


def test_a_running_clip_shows_its_progress_in_the_gallery_and_on_its_page(alice, client, tmp_path):
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)))
    media.mark_processing()
    media.report_progress(0.42)
    client.force_login(alice)

    gallery = client.get("/gallery/").content.decode()
    page = client.get(f"/media/{media.pk}/").content.decode()

    assert 'aria-valuenow="42"' in gallery and 'style="width: 42%"' in gallery
    assert 'style="width: 42%"' in page
    assert f'action="/media/{media.pk}/cancel/"' in page


def test_cancelling_from_the_page_keeps_the_item_as_partial(alice, client, tmp_path):
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)))
    client.force_login(alice)

    response = client.post(f"/media/{media.pk}/cancel/")

    assert response.status_code == 302
    media.refresh_from_db()
    assert media.status == Media.Status.CANCELLED and media.partial


def test_a_finished_clip_page_has_the_player_the_people_and_the_exports(alice, client, tmp_path):
    media = analysed_clip(alice, tmp_path, seconds=1)
    client.force_login(alice)

    page = client.get(f"/media/{media.pk}/").content.decode()

    assert f'src="/files/{media.pk}/playable/"' in page
    assert f'poster="/files/{media.pk}/thumbnail/"' in page
    assert 'id="timeline"' in page and "Person 1" in page and "Person 2" in page
    assert f'href="/api/media/{media.pk}/export.csv/"' in page
    assert f'href="/api/media/{media.pk}/export.json/"' in page
    assert f'action="/media/{media.pk}/annotate/"' in page


def test_asking_for_the_annotated_video_from_the_page_queues_it(alice, client, tmp_path):
    media = analysed_clip(alice, tmp_path, seconds=1)
    client.force_login(alice)

    client.post(f"/media/{media.pk}/annotate/")

    media.refresh_from_db()
    assert media.annotated_status == "queued"
    assert "The annotated video is being made" in client.get(f"/media/{media.pk}/").content.decode()


def test_another_users_clip_cannot_be_cancelled_or_annotated_from_the_pages(alice, bob, client, tmp_path):
    media = create_media(alice, clip_upload(clip_file(tmp_path, seconds=1)))
    client.force_login(bob)

    assert client.post(f"/media/{media.pk}/cancel/").status_code == 404
    assert client.post(f"/media/{media.pk}/annotate/").status_code == 404
    media.refresh_from_db()
    assert media.status == Media.Status.QUEUED
