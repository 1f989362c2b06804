"""Where the FER2013 frame lies around the Haar cascade's box: measured here, served by
``ml.detect.crop_faces`` and jittered by training (``ml.training.data``):
``python -m ml.training.geometry --help``.

FER2013's faces were registered by their own (unknown) detector, not by OpenCV's cascade. To serve
the network the framing it was trained on, each validation face is upscaled, padded with its own
border pixels (so the cascade sees a face in a larger picture without a new edge), and scanned with
the served detector settings. Per face found:

- ``scale``: the frame's side over the box's side;
- ``dx``, ``dy``: the frame's centre minus the box's centre, in box sides (right and down positive).

The medians are served (``SERVED``); the spread between the 10th and 90th percentiles is how much
the cascade's box wanders around a face, which training reproduces (``JITTER``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from ml.faces import JITTER, SERVED, FrameGeometry, Jitter

UPSCALE = 4


def place(face: np.ndarray, upscale: float = UPSCALE) -> tuple[np.ndarray, tuple[int, int, int]]:
    """A uint8 (48,48) face upscaled and padded with its border pixels to a picture the cascade can
    scan: (grey uint8 (H,W), (left, top, side) of the original frame in it)."""
    import cv2

    side = round(face.shape[0] * upscale)
    big = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)
    pad = side // 2
    return cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_REPLICATE), (pad, pad, side)


def nearest_box(boxes: Sequence[Sequence[int]], centre: tuple[float, float]) -> Sequence[int]:
    """The box (x, y, w, h) whose centre is nearest ``centre``: the face, where the cascade found several."""
    return min(boxes, key=lambda b: (b[0] + b[2] / 2 - centre[0]) ** 2 + (b[1] + b[3] / 2 - centre[1]) ** 2)


def measure(faces: np.ndarray, upscale: float = UPSCALE) -> dict[str, np.ndarray]:
    """Per-face geometry of uint8 (N,48,48) faces: arrays ``scale``, ``dx``, ``dy`` (faces where the
    cascade found something) and ``found`` (bool (N,)). Where the cascade finds several boxes, the
    one whose centre is nearest the frame's is the face."""
    from ml.detect import DetectorSettings, detect_faces

    settings = DetectorSettings()
    scale: list[float] = []
    dx: list[float] = []
    dy: list[float] = []
    found = np.zeros(len(faces), bool)
    for i, face in enumerate(faces):
        grey, (left, top, side) = place(face, upscale)
        boxes = detect_faces(grey, settings)
        if not boxes:
            continue
        fc = left + side / 2, top + side / 2
        x, y, w, h = nearest_box(boxes, fc)
        found[i] = True
        scale.append(side / w)
        dx.append((fc[0] - (x + w / 2)) / w)
        dy.append((fc[1] - (y + h / 2)) / h)
    return {"scale": np.array(scale), "dx": np.array(dx), "dy": np.array(dy), "found": found}


def summarise(m: dict[str, np.ndarray]) -> dict[str, Any]:
    """Medians, quartiles and 10th/90th percentiles of a ``measure`` result, and the geometry and
    jitter they imply."""
    out: dict[str, Any] = {"faces": int(len(m["found"])), "found": int(m["found"].sum())}
    for key in ("scale", "dx", "dy"):
        q = np.percentile(m[key], [10, 25, 50, 75, 90]) if len(m[key]) else [float("nan")] * 5
        out[key] = dict(zip(["p10", "p25", "median", "p75", "p90"], (round(float(v), 4) for v in q)))
    geometry = FrameGeometry(out["scale"]["median"], out["dx"]["median"], out["dy"]["median"])
    # Half the 10-90 spread, relative to the median framing: most boxes fall within +-jitter of it.
    rel = np.log(m["scale"] / geometry.scale) if len(m["scale"]) else np.array([np.nan])
    shift = np.concatenate([m["dx"] - geometry.dx, m["dy"] - geometry.dy]) / geometry.scale
    jitter = Jitter(
        scale=round(float(np.expm1((np.percentile(rel, 90) - np.percentile(rel, 10)) / 2)), 4),
        shift=round(float((np.percentile(shift, 90) - np.percentile(shift, 10)) / 2), 4),
    )
    out.update(geometry=asdict(geometry), jitter=asdict(jitter))
    return out


def main(argv: Sequence[str] | None = None) -> int:

    p = argparse.ArgumentParser(prog="python -m ml.training.geometry", description=__doc__.split("\n")[0])
    p.add_argument("--data", help="FER2013 npz (default $FER_DATA or ../shared/data/fer2013.npz)")
    p.add_argument("--split", default="val")
    p.add_argument("--limit", type=int, help="measure only the first N faces")
    p.add_argument("--json", action="store_true", help="end stdout with one JSON line")
    args = p.parse_args(argv)
    from ml.evaluation import fer2013

    faces, _ = fer2013.load_split(args.data, args.split)
    faces = faces[: args.limit] if args.limit else faces
    out = summarise(measure(faces))
    print(f"cascade found a face in {out['found']} of {out['faces']} {args.split} faces (upscaled {UPSCALE}x)")
    for key in ("scale", "dx", "dy"):
        print(f"{key:>6}: " + "  ".join(f"{k} {v:+.3f}" for k, v in out[key].items()))
    print(f"served now: {asdict(SERVED)}, jitter {asdict(JITTER)}")
    print(f"measured:   {out['geometry']}, jitter {out['jitter']}")
    if args.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
