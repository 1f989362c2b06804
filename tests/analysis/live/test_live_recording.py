""" "Save recording": the per-second summary (no pictures) becomes a live item shown with a timeline."""

import json

import pytest

import ml
from analysis.models import Detection, Media


def _second(t, top="happy", faces=1):
    if top is None:
        return {"t": t, "frames": 4, "faces": 0, "probabilities": None}
    probabilities = {name: (0.64 if name == top else 0.06) for name in ml.EMOTIONS}
    return {"t": t, "frames": 4, "faces": faces, "probabilities": probabilities}


def _save(client, seconds):
    return client.post("/live/save/", json.dumps({"seconds": seconds}), content_type="application/json")


def test_a_saved_recording_is_a_live_item_with_one_row_per_second(client, alice, media_root):
    client.force_login(alice)

    response = _save(client, [_second(0), _second(1, "sad", faces=2), _second(2, None), _second(3)])

    assert response.status_code == 201, response.content
    media = Media.objects.get(pk=response.json()["id"])
    assert response.json()["url"] == f"/media/{media.pk}/"
    assert (media.user, media.kind, media.status) == (alice, "live", "done")
    assert (media.duration_ms, media.face_count, media.dominant_emotion) == (4000, 2, "happy")
    assert not media.file and not media.thumbnail
    rows = list(Detection.objects.filter(media=media).order_by("frame").values_list("frame", "track", "emotion"))
    assert rows == [(0, 1, "happy"), (1, 1, "sad"), (2, None, ""), (3, 1, "happy")]
    assert not any(media_root.rglob("*.*"))  # no picture, no file of any kind


def test_its_page_shows_the_timeline_and_another_user_cannot_see_it(client, alice, bob):
    client.force_login(alice)
    media_id = _save(client, [_second(t) for t in range(5)]).json()["id"]

    page = client.get(f"/media/{media_id}/").content.decode()
    gallery = client.get("/gallery/").content.decode()

    assert 'class="timeline__chart"' in page
    assert page.count('class="timeline__line emo-') == len(ml.EMOTIONS)
    assert 'class="timeline__line emo-happy" d="M' in page
    assert "5 s recorded" in page
    assert media_id in gallery
    assert client.get("/dashboard/").status_code == 200
    item = client.get(f"/api/media/{media_id}/").json()
    assert item["kind"] == "live"
    # No pictures are kept, so there is no file link that would only answer 404.
    assert item["summary"]["file"] is None and item["summary"]["thumbnail"] is None
    client.force_login(bob)
    assert client.get(f"/media/{media_id}/").status_code == 404
    assert media_id not in client.get("/gallery/").content.decode()


@pytest.mark.parametrize(
    "seconds, message",
    [
        ([], "The recording is empty"),
        ([{"t": 0, "faces": 1, "probabilities": {"happy": 1.0}}], "The recording is malformed."),
        ([{"t": -1, "faces": 1, "probabilities": None}], "The recording is malformed."),
        ([_second(3600)], "A recording may last 60 minutes at most."),
    ],
)
def test_it_refuses_a_malformed_recording(client, alice, seconds, message):
    client.force_login(alice)

    response = _save(client, seconds)

    assert response.status_code == 400
    assert response.json()["detail"].startswith(message)
    assert not Media.objects.exists()


def test_it_refuses_anonymous_saves_and_gets(client, db):
    assert _save(client, [_second(0)]).status_code == 302
    assert client.get("/live/save/").status_code in (302, 405)
    assert not Media.objects.exists()


def test_a_saved_recording_is_badged_as_finished_not_as_running(client, alice):
    client.force_login(alice)
    media_id = _save(client, [_second(t) for t in range(3)]).json()["id"]

    page = client.get(f"/media/{media_id}/").content.decode()
    tile = client.get("/gallery/").content.decode()

    assert 'class="badge badge--done"' in page and ">recorded<" in page
    assert "badge--processing" not in page and ">live<" not in page
    assert "live recording" in tile and "●" not in tile
