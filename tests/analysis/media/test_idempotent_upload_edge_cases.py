"""Idempotency-Key edge cases (issue 24, item 11; issue 25, item 9): the same key and file with other
options is a different request (422), and a repeat after the item was deleted says so (410)."""

from analysis.models import Media
from tests.photos import astronaut, encode, upload


def post(client, data: bytes, **options):
    return client.post(
        "/api/media/", {"file": upload(data), **options}, format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1"
    )


def test_the_same_key_and_file_with_another_keep_media_is_422_and_stores_nothing(alice_api, sent_tasks):
    photo = encode(astronaut())
    first = post(alice_api, photo, keep_media="always")

    again = post(alice_api, photo, keep_media="results_only")

    assert first.status_code == 202
    assert again.status_code == 422 and "keep_media" in again.json()["detail"]
    assert Media.objects.count() == 1
    assert Media.objects.get().keep_media == "always"


def test_the_same_key_file_and_options_still_replays(alice_api, sent_tasks):
    photo = encode(astronaut())
    first = post(alice_api, photo, keep_media="days:7")

    again = post(alice_api, photo, keep_media="days:7")

    assert again.status_code == 202 and again.json() == first.json()


def test_a_repeat_after_the_item_was_deleted_is_410_with_a_message(alice_api, sent_tasks):
    photo = encode(astronaut())
    first = post(alice_api, photo)
    assert alice_api.delete(first.json()["url"]).status_code == 204

    again = post(alice_api, photo)

    assert again.status_code == 410
    assert "deleted" in again.json()["detail"]
    assert Media.objects.count() == 0
