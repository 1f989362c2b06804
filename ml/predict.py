"""Faces and emotions of image files: ``python -m ml.predict IMAGE [IMAGE ...]``.

Prints one JSON object per image per line: ``{"image", "model_version", "size", "faces",
"timings_ms"}``, or ``{"image", "error"}`` for a file that cannot be read (exit status 1).
A video clip (MP4, MOV, WebM, AVI) prints ``analyze_clip``'s object instead: its tracks and one row
per sampled frame and face (``ml.summary.TRACK_FIELDS``, ``ml.summary.ROW_FIELDS``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import ml
from ml.detect import DetectorSettings
from ml.draw import draw_faces
from ml.pipeline import InvalidImage, analyze_image
from ml.summary import Summary
from ml.video_io import DEFAULT_SAMPLE_FPS, InvalidVideo, VideoInfo, probe

MAX_FILE_PIXELS = 50_000_000


def read_rgb(path: str | Path, max_pixels: int = MAX_FILE_PIXELS) -> np.ndarray:
    """uint8 (H,W,3) RGB of an image file, turned upright from its EXIF orientation.

    The pixel count is checked from the header before decoding, so a small file that decodes to
    gigabytes is refused cheaply.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            im: Image.Image = opened
            if im.width * im.height > max_pixels:
                raise InvalidImage(f"{im.width}x{im.height} is over {max_pixels:,} pixels")
            im = ImageOps.exif_transpose(im)
            if im.mode in ("I;16", "I;16B", "I;16L", "I"):
                # 16-bit grey: scale to 8 bits instead of clipping everything above 255.
                a = np.asarray(im, dtype=np.float64)
                im = Image.fromarray((a * (255.0 / max(a.max(), 1.0))).astype(np.uint8))
            return np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        if isinstance(e, InvalidImage):
            raise
        raise InvalidImage(f"not a readable image: {e}") from e


def analyze_clip(
    path: str | Path, *, sample_fps: float | None = DEFAULT_SAMPLE_FPS, info: VideoInfo | None = None
) -> dict[str, Any]:
    """Everything about a clip as one JSON-ready dict: info, clip summary, tracks and rows."""
    from ml.video import analyze_video

    info = info or probe(path)
    summary = Summary()
    rows: list[dict[str, Any]] = []
    for chunk in analyze_video(path, sample_fps=sample_fps, info=info):
        summary.add(chunk.rows)
        rows += [row.as_dict() for row in chunk.rows]
    return {
        "video": str(path),
        "duration_ms": info.duration_ms,
        "fps": info.fps,
        "size": [info.width, info.height],
        **summary.clip(),
        "tracks": summary.tracks(),
        "rows": rows,
    }


def _print_clip(path: str) -> bool | None:
    """Print a clip's analysis as one JSON line: True, False when it failed, None for no clip."""
    try:
        info = probe(path)
    except InvalidVideo:
        return None
    try:
        result: dict[str, Any] = analyze_clip(path, info=info)
    except InvalidVideo as e:
        result = {"video": path, "error": str(e)}
    print(json.dumps({"model_version": ml.MODEL_VERSION, **result}), flush=True)
    return "error" not in result


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.predict", description=__doc__.split("\n")[0])
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument(
        "--annotate", metavar="OUT.png", help="write the image with boxes and labels (OUT_<i>.png for several images)"
    )
    p.add_argument("--tta", action="store_true", help="average each face with its mirror image")
    p.add_argument("--min-face", type=int, default=DetectorSettings.min_face)
    p.add_argument("--scale-factor", type=float, default=DetectorSettings.scale_factor)
    p.add_argument("--min-neighbors", type=int, default=DetectorSettings.min_neighbors)
    args = p.parse_args(argv)
    settings = DetectorSettings(args.scale_factor, args.min_neighbors, args.min_face)

    status = 0
    for i, path in enumerate(args.images):
        try:
            image = read_rgb(path)
        except InvalidImage as e:
            clip = _print_clip(path)
            if clip is not None:
                status = status if clip else 1
                continue
            print(json.dumps({"image": path, "error": str(e)}), flush=True)
            status = 1
            continue
        timings: dict[str, float] = {}
        faces = analyze_image(image, settings=settings, tta=args.tta, timings=timings)
        print(
            json.dumps(
                {
                    "image": path,
                    "model_version": ml.MODEL_VERSION,
                    "size": [image.shape[1], image.shape[0]],
                    "tta": args.tta,
                    "faces": [f.as_dict() for f in faces],
                    "timings_ms": {k: round(v, 2) for k, v in timings.items()},
                }
            ),
            flush=True,
        )
        if args.annotate:
            from PIL import Image

            out = Path(args.annotate)
            if len(args.images) > 1:
                out = out.with_name(f"{out.stem}_{i}{out.suffix}")
            Image.fromarray(draw_faces(image, faces)).save(out)
    return status


if __name__ == "__main__":
    sys.exit(main())
