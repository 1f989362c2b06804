"""Test photos built at test time from skimage's astronaut (public domain, in the scikit-image wheel)."""

import io

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def astronaut() -> np.ndarray:
    """skimage's astronaut (public domain): uint8 RGB (512, 512, 3) with one frontal face."""
    from skimage import data

    return data.astronaut()


def astronaut_face_crop() -> np.ndarray:
    """The astronaut's head with some margin: uint8 RGB (220, 180, 3)."""
    return astronaut()[20:240, 120:300]


def group_photo(count: int = 3) -> np.ndarray:
    """``count`` astronaut heads side by side on grey, 40 px apart: uint8 RGB."""
    crop = astronaut_face_crop()
    height, width = crop.shape[:2]
    canvas = np.full((height + 80, count * (width + 40) + 40, 3), 128, np.uint8)
    for i in range(count):
        x = 40 + i * (width + 40)
        canvas[40 : 40 + height, x : x + width] = crop
    return canvas


def encode(pixels: np.ndarray, image_format: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, image_format, **params)
    return buffer.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
