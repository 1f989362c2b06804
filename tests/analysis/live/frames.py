"""Live-mode test helpers: frames of a real face, a y4m fake-camera file, and posting a frame."""

from pathlib import Path

import numpy as np
from PIL import Image

from tests.photos import astronaut, encode, upload


def face_picture(width: int = 320, height: int = 240) -> np.ndarray:
    """The astronaut's head and shoulders (one frontal face): uint8 RGB (height, width, 3)."""
    picture = Image.fromarray(astronaut()[0:384, 64:576])  # 512 x 384, the face in the upper middle
    return np.asarray(picture.resize((width, height), Image.LANCZOS))


def face_frame(width: int = 320, height: int = 240) -> bytes:
    """A JPEG camera frame of a real face, width x height."""
    return encode(face_picture(width, height), quality=85)


def post_frame(client, content: bytes, name: str = "frame.jpg", content_type: str = "image/jpeg"):
    return client.post("/api/live/", {"file": upload(content, name, content_type)}, format="multipart")


def write_y4m(path: Path, pictures: list[np.ndarray], repeat: int = 15, fps: int = 15) -> Path:
    """A YUV4MPEG2 (4:2:0) video for Chromium's fake camera: each picture shown ``repeat`` frames."""
    height, width = pictures[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for picture in pictures:
            planes = _i420(picture)
            for _ in range(repeat):
                out.write(b"FRAME\n")
                out.write(planes)
    return path


def _i420(rgb: np.ndarray) -> bytes:
    """Full-range BT.601 Y, U, V planes (U and V at half resolution), as C420jpeg expects."""
    image = Image.fromarray(rgb).convert("YCbCr")
    y, cb, cr = (np.asarray(channel) for channel in image.split())
    height, width = y.shape
    half = (width // 2, height // 2)
    u = np.asarray(Image.fromarray(cb).resize(half, Image.BILINEAR))
    v = np.asarray(Image.fromarray(cr).resize(half, Image.BILINEAR))
    return y.tobytes() + u.tobytes() + v.tobytes()
