"""Hostile files through the real upload path (the API) and the file URLs: refused with a 400 and a
message, leaving no row and no file; or, for a polyglot, stored as a clean re-encoding and served as
the image it is. Never a 5xx."""

import io

import pytest
from PIL import Image

from analysis.jobs import dispatch
from analysis.models import Media
from tests.analysis.clips import api_client
from tests.faults import hostile
from tests.photos import upload
from tests.videos import clip_upload

pytestmark = pytest.mark.faults


@pytest.fixture
def api(alice, monkeypatch):
    # Accepted files are queued, not sent: what matters here is what the web process does with them.
    monkeypatch.setattr(dispatch.app, "send_task", lambda name, args=None, **options: None)
    return api_client(alice)


def post(api, uploaded):
    return api.post("/api/media/", {"file": uploaded}, format="multipart")


def assert_refused(response, media_root, *message_parts):
    assert response.status_code == 400, (response.status_code, response.content[:500])
    message = response.json()["file"][0]
    assert all(part in message for part in message_parts), message
    assert not Media.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_a_png_declaring_ten_billion_pixels_is_refused_before_decoding(api, media_root):
    bomb = hostile.png_header_only(100_000, 100_000)
    assert len(bomb) < 1000

    assert_refused(post(api, upload(bomb, "bomb.png", "image/png")), media_root, "too many pixels")


def test_a_jpeg_declaring_four_billion_pixels_is_refused_before_decoding(api, media_root):
    bomb = hostile.jpeg_declaring(65_500, 65_500)

    assert_refused(post(api, upload(bomb, "bomb.jpg")), media_root, "too many pixels")


def test_an_svg_with_a_script_is_refused_whatever_it_calls_itself(api, media_root):
    for name, content_type in (("face.svg", "image/svg+xml"), ("face.png", "image/png"), ("face.jpg", "image/jpeg")):
        assert_refused(post(api, upload(hostile.SVG, name, content_type)), media_root, "not a JPEG, PNG or WebP")


def test_html_behind_a_jpeg_signature_is_refused(api, media_root):
    response = post(api, upload(hostile.html_with_a_jpeg_signature(), "photo.jpg"))

    assert_refused(response, media_root)


def test_a_truncated_jpeg_is_refused_as_damaged(api, media_root):
    assert_refused(post(api, upload(hostile.truncated_jpeg())), media_root, "damaged or incomplete")


def test_an_mp4_cut_off_before_its_index_is_refused(api, media_root, tmp_path):
    assert_refused(post(api, clip_upload(hostile.truncated_mp4(tmp_path))), media_root)


def test_a_clip_declaring_two_hours_in_two_kilobytes_is_refused_as_too_long(api, media_root, tmp_path):
    clip = hostile.two_hours_in_three_frames(tmp_path / "long.mp4")
    assert clip.stat().st_size < 10_000

    assert_refused(post(api, clip_upload(clip)), media_root, "the limit is")


def test_an_avi_whose_headers_claim_16000_by_16000_pixels_is_taken_for_the_size_of_its_frames(api, tmp_path):
    clip = hostile.avi_declaring(tmp_path / "huge.avi", 16_000, 16_000)

    response = post(api, clip_upload(clip, "video/x-msvideo"))

    # Its frames are 64 x 48: nothing is ever sized (or allocated) from the headers' claim.
    assert response.status_code == 202, response.content[:500]
    media = Media.objects.get(pk=response.json()["id"])
    assert (media.kind, media.width, media.height) == ("video", 64, 48)


@pytest.mark.parametrize(
    "polyglot, name, content_type, image_format, smuggled",
    [
        (hostile.png_with_html_appended, "innocent.png", "image/png", "PNG", b"<script"),
        (hostile.jpeg_with_a_zip_appended, "innocent.jpg", "image/jpeg", "JPEG", b"PK\x03\x04"),
    ],
    ids=["png-with-html", "jpeg-with-zip"],
)
def test_a_polyglot_is_stored_and_served_as_a_clean_image_to_its_owner_only(
    api, bob, polyglot, name, content_type, image_format, smuggled
):
    response = post(api, upload(polyglot(), name, content_type))
    assert response.status_code == 202, response.content[:500]
    media = Media.objects.get(pk=response.json()["id"])

    for url in (f"/files/{media.pk}/original/", f"/files/{media.pk}/thumbnail/"):
        served = api.get(url)
        body = b"".join(served.streaming_content)
        assert served.status_code == 200
        assert served["Content-Type"] in ("image/png", "image/jpeg")
        assert served["X-Content-Type-Options"] == "nosniff"
        assert smuggled not in body
        Image.open(io.BytesIO(body)).verify()
        assert api_client(bob).get(url).status_code == 404
    with Image.open(io.BytesIO(b"".join(api.get(f"/files/{media.pk}/original/").streaming_content))) as image:
        assert image.format == image_format
