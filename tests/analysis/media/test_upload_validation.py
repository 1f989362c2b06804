"""Bad uploads are each rejected with a clear message, leaving no row and no file behind."""

import io
import struct
import zlib

import pytest
from PIL import Image

from analysis.media.services import UploadRejected, create_media
from analysis.models import Media
from tests.photos import astronaut, encode, upload


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()]


def assert_rejected(user, uploaded, media_root, message_part):
    with pytest.raises(UploadRejected) as rejected:
        create_media(user, uploaded)
    assert message_part in str(rejected.value)
    assert not Media.objects.exists()
    assert stored_files(media_root) == []


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with one tiny compressed row: a pixel bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def test_it_rejects_a_text_file_renamed_jpg(alice, media_root):
    assert_rejected(
        alice, upload(b"hello, I am not a photo\n" * 20, "holiday.jpg"), media_root, "not a JPEG, PNG or WebP"
    )


def test_it_rejects_a_truncated_jpeg(alice, media_root):
    whole = encode(astronaut())
    assert_rejected(alice, upload(whole[: len(whole) // 2]), media_root, "damaged or incomplete")


def test_it_rejects_an_empty_file(alice, media_root):
    assert_rejected(alice, upload(b""), media_root, "empty")


def test_it_rejects_an_oversize_file(alice, media_root, settings):
    settings.FER_MAX_UPLOAD_BYTES = 10_000
    assert_rejected(alice, upload(encode(astronaut())), media_root, "the limit is")


def test_it_rejects_a_pixel_bomb_before_decoding_it(alice, media_root, settings):
    # 100,000 x 100,000 pixels would need 30 GB decoded; the file is a few hundred bytes.
    bomb = png_header_only(100_000, 100_000)
    assert len(bomb) < 1000
    assert_rejected(alice, upload(bomb, "bomb.png", "image/png"), media_root, "too many pixels")


def test_it_rejects_an_image_over_the_configured_pixel_limit(alice, media_root, settings):
    settings.FER_MAX_IMAGE_PIXELS = 100_000
    assert_rejected(alice, upload(encode(astronaut())), media_root, "512 x 512 pixels")


def test_it_rejects_an_svg(alice, media_root):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
    assert_rejected(alice, upload(svg, "face.svg", "image/svg+xml"), media_root, "not a JPEG, PNG or WebP")


def test_it_rejects_a_gif_even_with_an_image_name(alice, media_root):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "GIF")
    assert_rejected(alice, upload(buffer.getvalue(), "photo.png"), media_root, "not a JPEG, PNG or WebP")


def test_it_stores_a_png_with_html_appended_as_a_clean_image(alice, media_root):
    html = b"<html><script>alert(document.cookie)</script></html>"
    polyglot = encode(astronaut(), "PNG") + html

    media = create_media(alice, upload(polyglot, "innocent.png", "image/png"))

    stored = media.file.read()
    assert html not in stored
    assert b"<script" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert image.size == (512, 512)
    # Exactly what a fresh encoding of the pixels gives: nothing of the upload's bytes survives.
    assert stored.endswith(b"IEND\xaeB`\x82")


def test_size_limits_are_written_as_the_readme_writes_them():
    from analysis.media.uploads import size_text

    assert size_text(20 * 1024 * 1024) == "20 MB"
    assert size_text(1024**3) == "1 GB"
    assert size_text(int(20.5 * 1024 * 1024)) == "20.5 MB"
    assert size_text(700) == "700 bytes"


def test_the_upload_page_prints_the_limits_people_read_in_the_readme(client, alice):
    client.force_login(alice)

    body = client.get("/upload/").content.decode()

    assert "photos up to 20 MB" in body and "1 GB" in body and "21 MB" not in body
