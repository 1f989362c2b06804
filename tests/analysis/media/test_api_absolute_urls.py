"""Every URL in an item is absolute (like DRF's own links: detections_url, the upload's url), and a file
that is not there is null, never "" (issue 24, item 8)."""

from analysis.media.anonymizing import make_anonymized
from analysis.media.services import request_anonymized
from tests.analysis.clips import analysed_clip, api_client
from tests.analysis.helpers import finished_photo


def urls(body: dict) -> dict:
    """Every URL field of an item, by its path in the body."""
    found = {
        "summary.file": body["summary"]["file"],
        "summary.thumbnail": body["summary"]["thumbnail"],
        "anonymized.url": body["anonymized"]["url"],
        "anonymized.request": body["anonymized"]["request"],
    }
    if body["kind"] == "video":
        found.update(
            {
                "detections_url": body["detections_url"],
                "player": body["player"],
                "exports.csv": body["exports"]["csv"],
                "exports.json": body["exports"]["json"],
                "exports.annotated.url": body["exports"]["annotated"]["url"],
                "exports.annotated.request": body["exports"]["annotated"]["request"],
            }
        )
    return found


def test_every_url_in_a_photo_item_is_absolute(alice, sent_tasks):
    photo = finished_photo(alice)
    request_anonymized(photo)
    make_anonymized(photo.pk)  # what the worker runs

    body = api_client(alice).get(f"/api/media/{photo.pk}/").json()

    found = urls(body)
    assert all(value.startswith("http://testserver/") for value in found.values()), found


def test_every_url_in_a_clip_item_is_absolute_and_a_copy_not_made_is_null(alice, tmp_path):
    clip = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)

    body = api_client(alice).get(f"/api/media/{clip.pk}/").json()

    found = urls(body)
    missing = {name for name, value in found.items() if value is None}
    assert missing == {"anonymized.url", "exports.annotated.url"}
    assert all(value.startswith("http://testserver/") for value in found.values() if value is not None), found


def test_a_clip_without_a_playable_copy_has_a_null_player(alice, tmp_path):
    clip = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)
    clip.playable.delete(save=True)

    body = api_client(alice).get(f"/api/media/{clip.pk}/").json()

    assert body["player"] is None
