"""A photo over FER_MAX_STORED_PIXELS is decoded reduced by a whole factor, stored so, and analysed there."""

import io

import numpy as np
import pytest
from PIL import Image, JpegImagePlugin

from analysis.media.analyses import analyze_media
from analysis.media.images import reduction_factor
from analysis.media.services import create_media
from analysis.models import Media
from tests.analysis.helpers import assert_no_orphan_files
from tests.photos import astronaut, encode, upload

ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def _small_budget(settings):
    # 1024 x 1024 (1 MP) is over it, 512 x 512 (the reduction by 2) within it.
    settings.FER_MAX_STORED_PIXELS = 300_000


def doubled() -> np.ndarray:
    """The astronaut at 1024 x 1024: uint8 RGB, her face near (420, 240) in these pixels."""
    return np.asarray(Image.fromarray(astronaut()).resize((1024, 1024), Image.Resampling.BICUBIC))


def decoded_sizes(monkeypatch, plugin_class) -> list:
    """The sizes ``plugin_class`` decodes at, recorded as each load() ends."""
    sizes = []
    load = plugin_class.load

    def recording_load(self):
        result = load(self)
        sizes.append(self.size)
        return result

    monkeypatch.setattr(plugin_class, "load", recording_load)
    return sizes


def stored(media) -> Image.Image:
    with media.file.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_the_reduction_is_the_smallest_whole_factor_that_fits():
    assert reduction_factor(512, 512, 300_000) == 1
    assert reduction_factor(1024, 1024, 300_000) == 2
    assert reduction_factor(7000, 7000, 16_000_000) == 2
    assert reduction_factor(4032, 3024, 16_000_000) == 1
    assert reduction_factor(1001, 1001, 100) == 101


def test_a_jpeg_over_the_budget_is_decoded_at_the_reduced_scale_never_at_full_size(alice, monkeypatch):
    sizes = decoded_sizes(monkeypatch, JpegImagePlugin.JpegImageFile)

    media = create_media(alice, upload(encode(doubled(), "JPEG", quality=95)))

    assert sizes and max(sizes) == (512, 512)
    assert (media.width, media.height) == stored(media).size == (512, 512)
    assert_no_orphan_files(alice)


def test_a_png_over_the_budget_is_stored_reduced_and_still_lossless_png(alice):
    pixels = doubled()

    media = create_media(alice, upload(encode(pixels, "PNG"), "big.png", "image/png"))

    image = stored(media)
    assert image.format == "PNG" and image.size == (media.width, media.height) == (512, 512)
    expected = np.asarray(Image.fromarray(pixels).reduce(2))
    assert np.array_equal(np.asarray(image), expected)


def test_a_rotated_phone_photo_over_the_budget_is_stored_upright_and_reduced(alice):
    upright = doubled()[:, :800]  # 800 wide, 1024 high
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90 degrees clockwise to display
    content = encode(np.rot90(upright, 1), "JPEG", exif=exif.tobytes(), quality=95)

    media = create_media(alice, upload(content))

    image = stored(media)
    assert (media.width, media.height) == image.size == (400, 512)
    assert len(image.getexif()) == 0
    expected = np.asarray(Image.fromarray(upright).reduce(2), dtype=int)
    assert np.abs(np.asarray(image, dtype=int) - expected).mean() < 6


def test_a_palette_photo_over_the_budget_is_stored_as_reduced_rgb(alice):
    palette = Image.fromarray(doubled()).convert("P", palette=Image.Palette.ADAPTIVE)

    media = create_media(alice, upload(encode(np.asarray(palette.convert("RGB")), "PNG"), "p.png", "image/png"))
    media_p = create_media(alice, upload(_png_bytes(palette), "p.png", "image/png"))

    assert stored(media).size == stored(media_p).size == (512, 512)
    assert stored(media_p).mode == "RGB"
    # Colours averaged from the palette's colours, not from its indices.
    difference = np.abs(np.asarray(stored(media_p), dtype=int) - np.asarray(stored(media), dtype=int)).mean()
    assert difference < 3


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_large_photo_is_still_analysed_and_its_boxes_are_in_the_stored_images_pixels(alice):
    media = create_media(alice, upload(encode(doubled(), "PNG"), "big.png", "image/png"))

    analyze_media(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.DONE and media.face_count == 1
    (face,) = media.photo_faces
    x, y, w, h = face.box
    # The astronaut's face is centred near (210, 120) of 512 x 512 (tests/analysis/media/test_analysis_service.py).
    assert x + w <= 512 and y + h <= 512, face.box
    assert 120 < x + w / 2 < 300 and 40 < y + h / 2 < 200, face.box


def test_a_photo_within_the_budget_is_stored_whole(alice, settings):
    settings.FER_MAX_STORED_PIXELS = 1024 * 1024

    media = create_media(alice, upload(encode(doubled(), "JPEG")))

    assert (media.width, media.height) == (1024, 1024)
