"""The FER2013 frame around the Haar box by face size, and what serving it per size would change:
``python -m ml.experiments.geometry_by_size``.

``ml.training.geometry`` measures the frame on validation faces upscaled to 192 pixels, where the detector's
fine pass boxes them; smaller faces are boxed by its coarse pass, whose boxes can differ in size. Per
face side (pixels), this upscales the first ``--limit`` validation faces to that side, pads them with
their own edge pixels, runs the shipped detector, and prints the median frame/box ratio and the served
model's accuracy on the crops cut with the served frame and with that size's own median frame.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/'s helpers (one core, timings, composites); _common sets thread counts before NumPy loads.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import argparse

import _common  # noqa: E402, F401
import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--limit", type=int, default=1200, help="validation faces")
    p.add_argument("--sides", default="64,80,96,112,128,160,192", help="face sides in pixels")
    args = p.parse_args()

    from ml.classify import served
    from ml.detect import crop_faces, detect_faces
    from ml.evaluation import fer2013
    from ml.faces import SERVED, FrameGeometry
    from ml.training.geometry import nearest_box, place

    _common.pin_to_one_core()
    faces, labels = fer2013.load_split(None, "val")
    faces, labels = faces[: args.limit], labels[: args.limit]
    print(f"{'side':>5}{'found':>7}{'median scale':>14}{'acc served frame':>18}{'acc own frame':>15}")
    for side in (int(s) for s in args.sides.split(",")):
        pictures, boxes, truth, ratios = [], [], [], []
        for face, label in zip(faces, labels):
            grey, (left, top, _) = place(face, side / face.shape[0])
            found = detect_faces(grey)
            if not found:
                continue
            box = nearest_box(found, (left + side / 2, top + side / 2))
            pictures.append(grey)
            boxes.append(box)
            truth.append(label)
            ratios.append(side / box[2])
        median = float(np.median(ratios))

        scores = []
        for frame in (SERVED, FrameGeometry(median, SERVED.dx, SERVED.dy)):
            crops = np.concatenate([crop_faces(g, [b], frame) for g, b in zip(pictures, boxes)])
            scores.append(float((served().predict(crops).argmax(1) == np.array(truth)).mean()))
        print(f"{side:>5}{len(truth):>7}{median:>14.4f}{scores[0]:>18.4f}{scores[1]:>15.4f}")


if __name__ == "__main__":
    main()
