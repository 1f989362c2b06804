"""Haar detection: faces found, false detections and time on composites: ``python bench/detection.py``.

The only real face photo that may ship with tests is the astronaut, so recall is measured on
FER2013 validation faces (from ``$FER_DATA``, never committed) upscaled and pasted, one per scene,
at a random place onto face-free skimage photos (coffee, rocket, chelsea, ... resized to fill the
frame). Two sets:

- "640x480": faces of 32-200 pixels (log-uniform);
- "1080p": 1920x1080 scenes with faces of 40-64 pixels, near the smallest the default
  settings look for at that size.

A face counts as found when a detection's centre falls in its square and its width is 0.4-2 times
the face's; every other detection is false. Pinned to core 0, any ``ml.training`` run paused. Beside the
shipped scan (``ml.detect.detect_faces``) it measures two cheaper scans that were considered and
not adopted (README, "The emotion model"): ``octaves`` scans each octave of window sizes on a halved
copy of the image, so that windows step 2 pixels at every size (``detectMultiScale`` steps 1
pixel above 48), and groups all hits together; ``two-stage`` keeps every group of two or more such
hits as a candidate and runs the shipped settings' full scan around each (``--variants``).
"""

from __future__ import annotations

import time

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)
import numpy as np

BACKGROUNDS = ("coffee", "rocket", "chelsea", "hubble_deep_field", "immunohistochemistry", "coins", "page", "text")


def scenes(n: int, seed: int, width: int, height: int, smallest: int, largest: int):
    """(grey scenes, face boxes): FER2013 validation faces pasted onto skimage photos."""
    import cv2
    from skimage import data as skdata

    from ml.evaluation import fer2013

    faces, _ = fer2013.load_split(None, "val")
    backgrounds = []
    for name in BACKGROUNDS:
        image = getattr(skdata, name)()
        if image.ndim == 3:
            image = cv2.cvtColor(image[..., :3], cv2.COLOR_RGB2GRAY)
        backgrounds.append(cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR))
    rng = np.random.default_rng(seed)
    out, boxes = [], []
    for i in range(n):
        scene = backgrounds[i % len(backgrounds)].copy()
        side = int(np.exp(rng.uniform(np.log(smallest), np.log(largest))))
        face = cv2.resize(faces[rng.integers(len(faces))], (side, side), interpolation=cv2.INTER_CUBIC)
        x, y = int(rng.integers(0, width - side)), int(rng.integers(0, height - side))
        scene[y : y + side, x : x + side] = face
        out.append(scene)
        boxes.append((x, y, side))
    return out, boxes


def score(found, box) -> tuple[bool, int]:
    """(was the pasted face found, how many other detections)."""
    x, y, side = box
    hit, false = False, 0
    for fx, fy, fw, fh in found:
        cx, cy = fx + fw / 2, fy + fh / 2
        if x <= cx <= x + side and y <= cy <= y + side and 0.4 < fw / side < 2.0:
            hit = True
        else:
            false += 1
    return hit, false


def octave_hits(grey, settings, min_size: int) -> list[list[int]]:
    """Raw cascade hits (no grouping), windows up to 48 pixels on the image itself and each further
    octave on a halved copy, in ``grey``'s pixels."""
    import cv2

    from ml.detect import CASCADE_WINDOW, _cascade

    def scan(image, step, lo, hi):
        found = _cascade().detectMultiScale(image, scaleFactor=step, minNeighbors=0, minSize=(lo, lo), maxSize=(hi, hi))
        return np.asarray(found, dtype=np.float64).reshape(-1, 4)

    top = 2 * CASCADE_WINDOW
    hits = [scan(grey, settings.scale_factor, min_size, top)]
    level = grey
    while min(level.shape) // 2 >= CASCADE_WINDOW:
        level = cv2.resize(level, (level.shape[1] // 2, level.shape[0] // 2), interpolation=cv2.INTER_AREA)
        last = min(level.shape) // 2 < CASCADE_WINDOW
        # A finer step between sizes on the halved copies: at 1.2 they found fewer faces.
        hits.append(scan(level, 1.1, CASCADE_WINDOW, 0 if last else top) * (grey.shape[1] / level.shape[1]))
    return np.round(np.concatenate(hits)).astype(int).tolist()


def variants(settings):
    import cv2

    from ml.detect import detect_faces, detect_near, shrink_for_detection

    def octaves(grey, threshold=2):
        small, scale, min_size = shrink_for_detection(grey, settings)
        grouped, _ = cv2.groupRectangles(octave_hits(small, settings, min_size), threshold, 0.2)
        return [tuple(v / scale for v in box) for box in np.asarray(grouped).reshape(-1, 4)]

    def two_stage(grey):
        return detect_near(grey, octaves(grey, threshold=1), settings, margin=0.5)

    return {"shipped": lambda grey: detect_faces(grey, settings), "octaves": octaves, "two-stage": two_stage}


def main() -> None:
    p = _common.parser(__doc__)
    p.add_argument("--n", type=int, default=300, help="640x480 scenes (the 1080p set has 2/5 as many)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--variants", default="shipped", help="comma-separated: shipped, octaves, two-stage")
    args = p.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)

    from ml.detect import DetectorSettings

    _common.pin_to_one_core()
    settings = DetectorSettings()
    sets = {
        ("640x480, 32-200 px", "640x480_32-200px"): scenes(args.n, args.seed, 640, 480, 32, 200),
        ("1080p, 40-64 px", "1080p_40-64px"): scenes(args.n * 2 // 5, args.seed, 1920, 1080, 40, 64),
    }
    chosen = {name: fn for name, fn in variants(settings).items() if name in args.variants.split(",")}
    print(f"default detector {settings}")
    figures.update(detector=str(settings), seed=args.seed)
    print(f"{'set':<22}{'scan':<12}{'found':>12}{'false':>7}{'median ms':>11}")
    with _common.training_paused():
        for (set_name, set_key), (images, boxes) in sets.items():
            for name, detect in chosen.items():
                found = false = 0
                times = []
                for grey, box in zip(images, boxes):
                    t0 = time.perf_counter()
                    detections = detect(grey)
                    times.append(time.perf_counter() - t0)
                    hit, extra = score(detections, box)
                    found, false = found + hit, false + extra
                print(
                    f"{set_name:<22}{name:<12}{f'{found}/{len(images)}':>12}{false:>7}{_common.median_ms(times):>11.1f}"
                )
                figures.section("sets", set_key)[name.replace("-", "_")] = {
                    "found": found,
                    "scenes": len(images),
                    "recall": found / len(images),
                    "false": false,
                    "median_ms": _common.median_ms(times),
                }
    figures.finish()


if __name__ == "__main__":
    main()
