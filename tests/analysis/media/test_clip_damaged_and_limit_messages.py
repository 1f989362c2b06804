"""A clip cut off before its index is called damaged or incomplete, and limits read as people write them."""

import pytest

from analysis.models import Media
from ml import video
from ml.video import duration_text
from tests.analysis.helpers import assert_no_orphan_files
from tests.videos import clip_file, clip_upload, truncated


def post(client, uploaded):
    return client.post("/api/media/", {"file": uploaded}, format="multipart")


def test_an_mp4_cut_off_before_its_index_is_called_damaged_or_incomplete(alice_api, alice, tmp_path):
    # OpenCV writes the MP4 index (moov) at the end: half the file has none.
    path = truncated(clip_file(tmp_path, seconds=1), tmp_path / "cut.mp4", keep=0.5)

    response = post(alice_api, clip_upload(path))

    assert response.status_code == 400, response.content
    message = response.json()["file"][0]
    assert "damaged or incomplete" in message
    assert "JPEG" not in message
    assert not Media.objects.exists()
    assert_no_orphan_files(alice)


def test_a_file_that_is_no_clip_at_all_still_says_what_photos_and_clips_may_be(alice_api):
    response = post(alice_api, clip_upload(_text_file()))

    assert "Clips must be MP4, MOV, WebM or AVI." in response.json()["file"][0]


def _text_file():
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "notes.mp4"
    path.write_bytes(b"just some text\n" * 200)
    return path


def test_the_duration_limit_is_printed_in_minutes_and_seconds(alice_api, settings, monkeypatch):
    settings.FER_MAX_VIDEO_SECONDS = 605
    info = video.VideoInfo("mp4", "h264", 640, 360, 30.0, 21750, 725_000, False)
    monkeypatch.setattr(video, "probe", lambda source, **limits: info)

    response = post(alice_api, clip_upload(_text_file()))

    assert response.json()["file"] == ["The clip lasts 12 minutes 5 seconds; the limit is 10 minutes 5 seconds."]


def test_the_upload_page_shows_the_configured_clip_limit(client, alice, settings):
    settings.FER_MAX_VIDEO_SECONDS = 605
    client.force_login(alice)

    assert "clips up to 10 minutes 5 seconds and 1 GB." in client.get("/upload/").content.decode()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (600, "10 minutes"),
        (605, "10 minutes 5 seconds"),
        (60, "1 minute"),
        (61, "1 minute 1 second"),
        (3600, "1 hour"),
        (3725, "1 hour 2 minutes 5 seconds"),
        (2.5, "2.5 seconds"),
        (600.04, "10 minutes"),
        (0, "0 seconds"),
    ],
)
def test_durations_read_as_people_write_them(seconds, text):
    assert duration_text(seconds) == text
