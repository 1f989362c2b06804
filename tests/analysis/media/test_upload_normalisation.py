"""Accepted photos are stored upright, as 8-bit RGB, re-encoded without EXIF (no GPS kept)."""

import io

import numpy as np
import pytest
from PIL import Image

from analysis.media.services import create_media
from tests.photos import astronaut, encode, upload

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def stored_image(media) -> Image.Image:
    with media.file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def test_it_applies_the_exif_orientation_and_drops_exif(alice):
    upright = astronaut()[:, :400]  # 400 wide, 512 high
    # A phone held sideways stores the pixels rotated and records "rotate 90 clockwise" (orientation 6).
    sideways = np.rot90(upright, 1)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD)[2] = (52.0, 31.0, 12.0)  # GPSLatitude
    content = encode(sideways, "JPEG", exif=exif.tobytes(), quality=95)

    media = create_media(alice, upload(content))

    image = stored_image(media)
    assert (media.width, media.height) == image.size == (400, 512)
    assert len(image.getexif()) == 0
    assert b"PhoneMaker" not in media.file.open("rb").read()
    # Upright again: close to the original pixels (JPEG twice loses a little).
    difference = np.abs(np.asarray(image, dtype=int) - upright.astype(int)).mean()
    assert difference < 6


@pytest.mark.parametrize(
    ("mode", "image_format"),
    [("L", "PNG"), ("P", "PNG"), ("RGBA", "PNG"), ("LA", "PNG"), ("I;16", "PNG"), ("RGBA", "WEBP"), ("L", "JPEG")],
)
def test_it_stores_any_mode_as_rgb(alice, mode, image_format):
    rgb = Image.fromarray(astronaut())
    if mode == "I;16":
        grey = np.asarray(rgb.convert("L"), dtype=np.uint16) * 257  # full 16-bit range
        source = Image.fromarray(grey)
        assert source.mode == "I;16"
    else:
        source = rgb.convert(mode)
    buffer = io.BytesIO()
    source.save(buffer, image_format)

    media = create_media(alice, upload(buffer.getvalue(), f"x.{image_format.lower()}"))

    image = stored_image(media)
    assert image.mode == "RGB"
    assert image.size == (512, 512)
    # Not washed out: a 16-bit image clipped at 255 instead of scaled would be almost all white.
    assert 60 < np.asarray(image).mean() < 200


def test_transparent_pixels_become_white(alice):
    rgba = np.zeros((32, 32, 4), np.uint8)  # fully transparent black

    media = create_media(alice, upload(encode(rgba, "PNG"), "clear.png"))

    assert np.asarray(stored_image(media)).min() == 255


def test_it_keeps_png_lossless_and_stores_jpeg_for_others(alice):
    png = create_media(alice, upload(encode(astronaut(), "PNG"), "a.png"))
    webp = create_media(alice, upload(encode(astronaut(), "WEBP"), "a.webp"))

    assert png.file.name.endswith(".png") and np.array_equal(np.asarray(stored_image(png)), astronaut())
    assert webp.file.name.endswith(".jpg") and stored_image(webp).format == "JPEG"


def test_it_makes_a_small_jpeg_thumbnail(alice):
    media = create_media(alice, upload(encode(np.zeros((1000, 2000, 3), np.uint8))))

    with media.thumbnail.open("rb") as stored:
        thumbnail = Image.open(stored)
        assert thumbnail.format == "JPEG"
        assert max(thumbnail.size) <= 400
