"""Pillow helpers shared by uploads, clip posters and live frames: clean RGB copies and encoding."""

import io

import numpy as np
from PIL import Image

# Recognised by content (Pillow reads the magic bytes), never by the client's file name or type.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
THUMBNAIL_SIZE = (400, 400)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB; transparency is flattened onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: Pillow's convert("L") clips at 255 instead of scaling, so scale by hand.
        values = np.asarray(image, dtype=np.float64)
        scale = 257.0 if image.mode.startswith("I;16") or values.max() > 255 else 1.0
        image = Image.fromarray(np.clip(values / scale, 0, 255).astype(np.uint8), mode="L")
    elif image.mode == "F":
        image = Image.fromarray(np.clip(np.asarray(image), 0, 255).astype(np.uint8), mode="L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    # A fresh image from the pixels alone: no EXIF, GPS, ICC or text chunks survive into the copy.
    rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


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
    copy = image.copy()
    copy.thumbnail(THUMBNAIL_SIZE)
    return encode(copy, "JPEG", quality=85)
