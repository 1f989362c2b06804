"""``analyze_image`` latency on real photos, on one core: ``python bench/pipeline.py``.

Scenes from ``skimage.data.astronaut()`` (public domain): letterboxed into 640x480 and 1920x1080,
and a 1920x1080 frame holding the same face shrunk to 40 pixels. Pinned to core 0, any ``ml.training``
process paused. Prints faces found, median and p90 milliseconds, and the smallest face each size
can find with the default detector settings.
"""

from __future__ import annotations

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)
import numpy as np


def letterbox(image: np.ndarray, width: int, height: int) -> np.ndarray:
    import cv2

    scale = min(width / image.shape[1], height / image.shape[0])
    resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    out = np.full((height, width, 3), 110, np.uint8)
    y, x = (height - resized.shape[0]) // 2, (width - resized.shape[1]) // 2
    out[y : y + resized.shape[0], x : x + resized.shape[1]] = resized
    return out


def small_face_scene(photo: np.ndarray, face_px: int = 40) -> np.ndarray:
    """1920x1080 with the astronaut shrunk so that her face box is ``face_px`` wide."""
    import cv2

    from ml.detect import DetectorSettings, detect_faces
    from ml.pipeline import to_grey

    # Sized as the coarse scan, which finds small faces, boxes the face (tests/ml/test_detection.py).
    ((_, _, w, _),) = detect_faces(to_grey(photo), DetectorSettings(fine_from=0))
    small = cv2.resize(photo, None, fx=face_px / w, fy=face_px / w, interpolation=cv2.INTER_AREA)
    out = np.full((1080, 1920, 3), 110, np.uint8)
    out[500 : 500 + small.shape[0], 900 : 900 + small.shape[1]] = small
    return out


def main() -> None:
    p = _common.parser(__doc__)
    p.add_argument("--repeats", type=int, default=40)
    p.add_argument(
        "--min-faces",
        default="32,48,64",
        help="comma-separated min_face settings to compare (the first is the default)",
    )
    args = p.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)

    from skimage import data as skdata

    import ml
    from ml.detect import DetectorSettings
    from ml.pipeline import analyze_image, warm_up

    _common.pin_to_one_core()
    photo = skdata.astronaut()
    scenes = {
        ("640x480", "640x480"): letterbox(photo, 640, 480),
        ("1920x1080", "1920x1080"): letterbox(photo, 1920, 1080),
        ("1920x1080, 40 px face", "1920x1080_40px_face"): small_face_scene(photo),
    }
    print(f"model {ml.MODEL_VERSION}; default detector {DetectorSettings()}")
    figures.update(model=ml.MODEL_VERSION, detector=str(DetectorSettings()), repeats=args.repeats)
    print(
        f"{'scene':<24}{'min_face':>9}{'faces':>6}{'median ms':>11}{'p90 ms':>8}{'detect ms':>10}"
        f"{'classify ms':>12}{'smallest px':>12}"
    )
    with _common.training_paused():
        warm_up()
        for (name, key), image in scenes.items():
            for min_face in (int(v) for v in args.min_faces.split(",")):
                settings = DetectorSettings(min_face=min_face)
                faces = analyze_image(image, settings=settings)
                timings = []

                def run(image=image, settings=settings, timings=timings):
                    t: dict = {}
                    analyze_image(image, settings=settings, timings=t)
                    timings.append(t)

                samples = _common.timed(run, args.repeats)
                detect = float(np.median([t["detect_ms"] for t in timings]))
                classify = float(np.median([t["classify_ms"] for t in timings]))
                smallest = settings.smallest_detectable(*image.shape[:2])
                print(
                    f"{name:<24}{min_face:>9}{len(faces):>6}{_common.median_ms(samples):>11.1f}"
                    f"{_common.p90_ms(samples):>8.1f}{detect:>10.1f}{classify:>12.1f}{smallest:>12}"
                )
                figures.section("scenes", key)[f"min_face_{min_face}"] = {
                    "faces": len(faces),
                    "median_ms": _common.median_ms(samples),
                    "p90_ms": _common.p90_ms(samples),
                    "detect_ms": detect,
                    "classify_ms": classify,
                    "smallest_px": smallest,
                }
    figures.finish()


if __name__ == "__main__":
    main()
