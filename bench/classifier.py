"""Faces per second of the served classifier on one core: ``python bench/classifier.py``.

Pinned to core 0 with one interpreter thread (as ``taskset -c 0``), any ``ml.training`` process
paused (SIGSTOP) while it runs. Prints the speed at batch 1 and 32 beside the network's cost and
the core's measured float32 peak, and optionally plain Keras ``predict`` for comparison.

A dynamic-int8 export multiplies in int8, which is not bound by the float32 peak: its "of limit"
column can pass 100%. ``--tflite`` times another export (say a float16 one) on the same core.
"""

from __future__ import annotations

import argparse

import _common  # noqa: F401  (thread settings before NumPy loads)
import numpy as np

# Multiply-accumulates of the reference network per face, counted layer by layer:
# conv 48x48x(3*3*1)x64 + 24x24x(5*5*64)x128 + 12x12x(3*3*128)x512 + 6x6x(3*3*512)x512
# + dense 4608x256 + 256x512 + 512x7.
MACS = (
    48 * 48 * 9 * 64
    + 24 * 24 * 25 * 64 * 128
    + 12 * 12 * 9 * 128 * 512
    + 6 * 6 * 9 * 512 * 512
    + 4608 * 256
    + 256 * 512
    + 512 * 7
)
GFLOP_PER_FACE = 2 * MACS / 1e9


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=200, help="timed calls at batch 1")
    p.add_argument("--keras", action="store_true", help="also time Keras predict at batch 1")
    p.add_argument("--tflite", help="time this .tflite instead of the served one")
    args = p.parse_args()

    import json

    import ml
    from ml.classify import SERVED_TFLITE, Classifier

    if args.tflite:
        model_path, label = args.tflite, args.tflite
    else:
        precision = json.loads(ml.SERVED_MANIFEST.read_text()).get("precision", "float16")
        model_path, label = SERVED_TFLITE, f"{ml.MODEL_VERSION} ({precision})"

    _common.pin_to_one_core()
    faces = np.random.default_rng(0).integers(0, 256, (32, 48, 48), dtype=np.uint8)
    with _common.training_paused():
        speeds = _common.matmul_peak_gflops()
        peak = max(speeds.values())
        clf = Classifier(model_path, num_threads=1)
        rows = []
        for batch, repeats in ((1, args.repeats), (32, max(20, args.repeats // 8))):
            samples = _common.timed(lambda b=batch: clf.predict(faces[:b]), repeats, warmup=5)
            per_s = batch / (_common.median_ms(samples) / 1000)
            rows.append((batch, _common.median_ms(samples), _common.p90_ms(samples), per_s))
        if args.keras:
            from ml.training import model as models

            net = models.build("reference")
            x = faces[:1].astype(np.float32)[..., None] / 255
            k = _common.timed(lambda: net.predict(x, verbose=0), 30)
            keras_ms = _common.median_ms(k)

    limit = peak / GFLOP_PER_FACE
    print(f"model {label}: {MACS / 1e9:.3f} G multiply-accumulates = {GFLOP_PER_FACE:.3f} GFLOP per face")
    measured = ", ".join(f"{name} {gflops:.1f}" for name, gflops in speeds.items())
    print(f"core float32 peak (single-thread 2048^3 matmul; {measured}): {peak:.1f} GFLOP/s", end="")
    print(f" -> limit {limit:.0f} faces/s")
    print(f"{'batch':>5} {'median ms':>10} {'p90 ms':>8} {'faces/s':>8} {'GFLOP/s':>8} {'of limit':>8}")
    for batch, med, p90, per_s in rows:
        print(f"{batch:>5} {med:>10.2f} {p90:>8.2f} {per_s:>8.0f} {per_s * GFLOP_PER_FACE:>8.1f} {per_s / limit:>8.0%}")
    if args.keras:
        print(f"keras predict, batch 1: median {keras_ms:.1f} ms = {1000 / keras_ms:.0f} faces/s")


if __name__ == "__main__":
    main()
