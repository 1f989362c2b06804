"""Detector schedules on the dev photos and on composites: ``python -m ml.experiments.detector_shortcuts``.

The shipped detector runs a fine cascade pass for faces of ``fine_from`` pixels and up, then a coarse
one for smaller faces on a copy where the large faces found are painted flat (``ml.detect``). Measured
here against it, on whole photos (grey, as the pipeline detects):

- "unpainted": both passes over the whole picture (the detector before the painting);
- "fine pass only if none": the coarse pass over every size, the fine one only when it found no face;
- "same, coarse step 1.25": that with a coarser first step.

The last two were considered and not adopted: they can miss a second large face that the coarse pass
skipped in a group photo. Prints per schedule the median milliseconds and the share of dev photos with
a face found, the share whose largest box is the shipped one's, and faces found / false detections /
median milliseconds on ``bench/detection.py``'s 640x480 composites (one FER2013 face of 32-200 px pasted
on a face-free photo). Pinned to core 0, one OpenCV thread, any ``ml.train`` paused.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/'s helpers (one core, timings, composites); _common sets thread counts before NumPy loads.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import argparse
import time

import _common  # noqa: E402, F401


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--photos", default="../shared/data/realfaces-dev", help="folder with labels.csv")
    p.add_argument("--composites", type=int, default=150, help="640x480 composites (0: none)")
    args = p.parse_args()

    import cv2
    import detection

    from ml.detect import DetectorSettings, detect_faces
    from ml.evaluation import photoset
    from ml.tracking import iou

    _common.pin_to_one_core()
    cv2.setNumThreads(1)
    greys = [cv2.cvtColor(photoset.load_rgb(p.path), cv2.COLOR_RGB2GRAY) for p in photoset.read_labels(args.photos)]
    scenes, boxes = detection.scenes(args.composites, 1, 640, 480, 32, 200) if args.composites else ([], [])

    def fine_if_empty(coarse: DetectorSettings):
        return lambda grey: detect_faces(grey, coarse) or detect_faces(grey, DetectorSettings())

    schedules = {
        "shipped": detect_faces,
        "unpainted": lambda grey: detect_faces(grey, DetectorSettings(paint_large_faces=False)),
        "fine pass only if none": fine_if_empty(DetectorSettings(fine_from=0)),
        "same, coarse step 1.25": fine_if_empty(DetectorSettings(scale_factor=1.25, fine_from=0)),
    }

    def largest(found):
        return max(found, key=lambda b: b[2] * b[3]) if found else None

    shipped = [largest(detect_faces(grey)) for grey in greys]
    print(f"{len(greys)} photos from {args.photos}; {len(scenes)} composites")
    head = f"{'schedule':<24}{'median ms':>10}{'ratio':>7}{'found':>8}{'same box':>9}"
    print(head + f"{'composites':>11}{'false':>6}{'ms':>7}")
    shipped_ms = None
    with _common.training_paused():
        for name, detect in schedules.items():
            detect(greys[0])  # loads the cascade
            times, found, same = [], 0, 0
            for grey, ref in zip(greys, shipped):
                t0 = time.perf_counter()
                box = largest(detect(grey))
                times.append(time.perf_counter() - t0)
                found += box is not None
                same += box == ref or (box is not None and ref is not None and iou(box, ref) > 0.9)
            ms = _common.median_ms(times)
            shipped_ms = shipped_ms or ms
            hits = false = 0
            scene_times = []
            for scene, face in zip(scenes, boxes):
                t0 = time.perf_counter()
                hit, extra = detection.score(detect(scene), face)
                scene_times.append(time.perf_counter() - t0)
                hits, false = hits + hit, false + extra
            scene_ms = _common.median_ms(scene_times) if scene_times else float("nan")
            print(
                f"{name:<24}{ms:>10.2f}{ms / shipped_ms:>7.2f}{found / len(greys):>8.4f}{same / len(greys):>9.4f}"
                f"{f'{hits}/{len(scenes)}':>11}{false:>6}{scene_ms:>7.1f}"
            )


if __name__ == "__main__":
    main()
