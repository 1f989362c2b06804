"""Pillow helpers shared by uploads, clip posters and live frames: clean RGB copies and encoding."""

import io
import logging
import math

import numpy as np
from PIL import ExifTags, Image

logger = logging.getLogger(__name__)

# Recognised by content (Pillow reads the magic bytes), never by the client's file name or type.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
THUMBNAIL_SIZE = (400, 400)
# Modes whose pixels can be averaged by Image.reduce (palette indices and 1-bit pixels cannot, and
# Pillow refuses I;16).
_REDUCIBLE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK", "YCbCr", "I", "F")


def reduction_factor(width: int, height: int, max_pixels: int) -> int:
    """The smallest whole factor that brings ``width`` x ``height`` to at most ``max_pixels`` (1: it fits)."""
    factor = max(1, math.isqrt(width * height // max(1, max_pixels)))
    while math.ceil(width / factor) * math.ceil(height / factor) > max_pixels:
        factor += 1
    return factor


def load_within(image: Image.Image, max_pixels: int) -> Image.Image:
    """Decode ``image`` (just opened: only its header read) as upright 8-bit RGB without metadata,
    reduced by a whole factor to at most ``max_pixels`` when it is larger.

    Memory: a JPEG is decoded at 1/2, 1/4 or 1/8 scale straight away (``draft``: DCT scaling), so its
    full size never exists; another format is decoded once at full size, reduced, and that copy is
    closed at once. Decoding errors propagate (Pillow's OSError, SyntaxError or ValueError).
    """
    factor = reduction_factor(image.width, image.height, max_pixels)
    if factor > 1 and image.format == "JPEG":
        # draft picks the largest power-of-two scale that keeps at least the size asked: ask for the
        # floor, so that the scale is never coarser than the factor.
        image.draft(None, (image.width // factor, image.height // factor))
    image.load()
    # Read before any conversion drops the metadata; applied last, to the smallest copy.
    turn = _ORIENTATIONS.get(_orientation(image))
    factor = reduction_factor(image.width, image.height, max_pixels)
    if factor > 1:
        if image.mode not in _REDUCIBLE_MODES:
            image = _replacing(image, to_rgb(image))
        image = _replacing(image, image.reduce(factor))
    image = _replacing(image, to_rgb(image))
    return _replacing(image, image.transpose(turn)) if turn is not None else image


# EXIF orientation -> the turn that shows the picture upright (as ImageOps.exif_transpose).
_ORIENTATIONS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:  # a malformed EXIF block should not cost the photo
        logger.warning("Ignoring unreadable EXIF orientation in an upload", exc_info=True)
        return 1


def _replacing(old: Image.Image, new: Image.Image) -> Image.Image:
    """``new``, with ``old``'s pixels released now rather than when the last reference goes."""
    if new is not old:
        old.close()
    return new


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB; transparency is flattened onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: Pillow's convert("L") clips at 255 instead of scaling, so scale by hand.
        # In integers: float64 would be 8 bytes a pixel (400 MB for a 49 MP photo).
        values = np.asarray(image)
        if image.mode.startswith("I;16") or values.max() > 255:
            values = values // 257
        image = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), mode="L")
    elif image.mode == "F":
        image = Image.fromarray(np.clip(np.asarray(image), 0, 255).astype(np.uint8), mode="L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    # A fresh image (convert copies even an RGB one) with no EXIF, GPS, ICC or text chunks: once
    # decoded, a plain Image keeps its metadata in ``info`` alone. (Not tobytes() and frombytes(): two
    # more copies of the pixels.)
    rgb = image.convert("RGB")
    rgb.info = {}
    return rgb


def encode(image: Image.Image, image_format: str, quality: int = 92) -> bytes:
    """The image as JPEG or PNG bytes."""
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=quality, optimize=True)
    else:
        # No `optimize` for PNG: it tries every filter and takes seconds on a large photo, in a request.
        image.save(buffer, image_format)
    return buffer.getvalue()


def thumbnail_jpeg(image: Image.Image) -> bytes:
    """A JPEG of ``image`` shrunk to fit THUMBNAIL_SIZE: gallery tiles and clip posters."""
    scale = min(1.0, THUMBNAIL_SIZE[0] / image.width, THUMBNAIL_SIZE[1] / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # resize straight to the small size (reducing first by a whole factor, as thumbnail() does): no
    # full-size copy of the photo.
    small = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0) if scale < 1 else image
    return encode(small, "JPEG", quality=85)
