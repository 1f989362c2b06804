"""Two cheaper detector schedules on the dev photos, not adopted: ``python bench/detector_shortcuts.py``.

The shipped detector runs a coarse cascade pass and, for faces of ``fine_from`` pixels and up, a finer
one (``ml.detect``). Measured here against it, on whole photos (grey, as the pipeline detects): the
fine pass only when the coarse one found no face, and the same with a 1.25 coarse step. Prints the
median milliseconds and the share of photos with a face found; pinned to core 0, one OpenCV thread,
any ``ml.train`` paused. The shortcuts keep the dev set's detection rate but can miss a second large
face that the coarse pass skipped in a group photo, which no set here measures (README, Performance).
"""

from __future__ import annotations

import argparse
import time

import _common


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--photos", default="../shared/data/realfaces-dev", help="folder with labels.csv")
    args = p.parse_args()

    import cv2

    from ml import photoset
    from ml.detect import DetectorSettings, detect_faces

    _common.pin_to_one_core()
    cv2.setNumThreads(1)
    greys = [cv2.cvtColor(photoset.load_rgb(p.path), cv2.COLOR_RGB2GRAY) for p in photoset.read_labels(args.photos)]

    def fine_if_empty(coarse: DetectorSettings):
        return lambda grey: detect_faces(grey, coarse) or detect_faces(grey, DetectorSettings())

    schedules = {
        "shipped": detect_faces,
        "fine pass only if none": fine_if_empty(DetectorSettings(fine_from=0)),
        "same, coarse step 1.25": fine_if_empty(DetectorSettings(scale_factor=1.25, fine_from=0)),
    }
    print(f"{len(greys)} photos from {args.photos}")
    print(f"{'schedule':<26}{'median ms':>10}{'ratio':>8}{'found':>9}")
    shipped_ms = None
    with _common.training_paused():
        for name, detect in schedules.items():
            detect(greys[0])  # loads the cascade
            times, found = [], 0
            for grey in greys:
                t0 = time.perf_counter()
                found += bool(detect(grey))
                times.append(time.perf_counter() - t0)
            ms = _common.median_ms(times)
            shipped_ms = shipped_ms or ms
            print(f"{name:<26}{ms:>10.2f}{ms / shipped_ms:>8.2f}{found / len(greys):>9.4f}")


if __name__ == "__main__":
    main()
