"""Clip uploads: accepted containers, and each rejection a 400 that leaves no row and no file."""

import pytest

from analysis.models import Media
from tests.photos import astronaut, encode, upload
from tests.videos import audio_only, blank_clip, clip_file, clip_upload, large_mjpeg_avi


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()]


def post(client, uploaded):
    return client.post("/api/media/", {"file": uploaded}, format="multipart")


def assert_rejected(response, media_root, message_part):
    assert response.status_code == 400, response.content
    assert message_part in response.json()["file"][0]
    assert not Media.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(("name", "fourcc"), [("clip.mp4", "mp4v"), ("clip.avi", "MJPG"), ("clip.mov", "mp4v")])
def test_it_accepts_mp4_mov_and_avi_clips_as_videos(alice_api, tmp_path, name, fourcc):
    path = clip_file(tmp_path, name, fourcc=fourcc, seconds=1)

    response = post(alice_api, clip_upload(path))

    assert response.status_code == 202, response.content
    media = Media.objects.get()
    assert (media.kind, media.status, media.width, media.height) == ("video", "queued", 640, 360)
    assert media.duration_ms == 1000 and media.sample_fps == 5.0
    assert not media.file.name.endswith(name)  # never the client's name


def test_it_accepts_a_webm_clip(alice_api, tmp_path):
    import av

    path = tmp_path / "clip.webm"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libvpx-vp9", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(astronaut()[:48, :64].copy(), format="rgb24").reformat(format="yuv420p")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)

    response = post(alice_api, clip_upload(path, "video/webm"))

    assert response.status_code == 202, response.content
    assert Media.objects.get().content_type == "video/webm"


def test_every_frame_is_an_upload_option(alice_api, tmp_path):
    path = clip_file(tmp_path, seconds=1)

    response = alice_api.post("/api/media/", {"file": clip_upload(path), "every_frame": "true"}, format="multipart")

    assert response.status_code == 202, response.content
    assert Media.objects.get().sample_fps == 0.0


def test_an_image_named_mp4_is_analysed_as_the_photo_it_is(alice_api):
    response = post(alice_api, upload(encode(astronaut()), "holiday.mp4", "video/mp4"))

    assert response.status_code == 202, response.content
    assert Media.objects.get().kind == "photo"


def test_it_rejects_an_empty_file(alice_api, media_root):
    assert_rejected(post(alice_api, upload(b"", "empty.mp4", "video/mp4")), media_root, "empty")


def test_it_rejects_an_audio_only_file(alice_api, media_root, tmp_path):
    path = audio_only(tmp_path / "song.mp4")

    assert_rejected(post(alice_api, clip_upload(path)), media_root, "no pictures")


def test_it_rejects_a_file_that_is_neither_video_nor_image(alice_api, media_root):
    response = post(alice_api, upload(b"just some text\n" * 200, "notes.mp4", "video/mp4"))

    assert_rejected(response, media_root, "Clips must be MP4, MOV, WebM or AVI.")


def test_the_message_follows_the_kind_of_error_not_its_words(alice_api, media_root, monkeypatch):
    from ml import video

    def probe(source, **limits):
        raise video.InvalidVideo("This clip is neither short nor sweet.")

    monkeypatch.setattr(video, "probe", probe)
    response = post(alice_api, upload(b"just some text\n" * 200, "notes.mp4", "video/mp4"))

    assert_rejected(response, media_root, "This clip is neither short nor sweet.")
    assert "Clips must be" not in response.json()["file"][0]


def test_it_rejects_a_clip_longer_than_the_limit(alice_api, media_root, tmp_path, settings):
    settings.FER_MAX_VIDEO_SECONDS = 1
    path = clip_file(tmp_path, seconds=2)

    assert_rejected(post(alice_api, clip_upload(path)), media_root, "the limit is")


@pytest.mark.parametrize("size", [(3856, 64), (64, 3856), (2176, 2176)])
def test_it_rejects_a_clip_larger_than_4k_in_either_orientation(alice_api, media_root, tmp_path, size):
    path = blank_clip(tmp_path / "big.mp4", *size)

    assert_rejected(post(alice_api, clip_upload(path)), media_root, "3840 x 2160")


def test_it_rejects_a_clip_over_the_byte_limit(alice_api, media_root, tmp_path, settings):
    path = clip_file(tmp_path, seconds=1)
    settings.FER_MAX_VIDEO_BYTES = path.stat().st_size - 1

    assert_rejected(post(alice_api, clip_upload(path)), media_root, "the limit for clips")


def test_it_rejects_a_16000_pixel_square_mjpeg_clip_from_its_header(alice_api, media_root, tmp_path, monkeypatch):
    from ml import video_io

    def no_decoding(*args):
        raise AssertionError("a frame was decoded")

    monkeypatch.setattr(video_io, "_first_frame_rotation", no_decoding)
    path = large_mjpeg_avi(tmp_path / "bomb.avi", 16000, 16000)

    response = post(alice_api, clip_upload(path, "video/x-msvideo"))

    assert_rejected(response, media_root, "The clip is 16000 x 16000 pixels; the limit is 3840 x 2160")
