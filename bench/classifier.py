"""Faces per second of the served classifier on one core: ``python bench/classifier.py``.

Pinned to core 0 with one interpreter thread (as ``taskset -c 0``), any ``ml.training`` process
paused (SIGSTOP) while it runs. Prints the speed at batch 1 and 32 beside the network's cost and
the core's measured float32 peak, and optionally plain Keras ``predict`` for comparison.

A dynamic-int8 export multiplies in int8, which is not bound by the float32 peak. ``--tflite`` times
another export beside the served one on the same core, the two taking turns call by call, and prints
the ratio (a candidate must keep 0.64x of the served speed at batch 1).
"""

from __future__ import annotations

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)
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


def speeds(models: dict[str, str], faces: np.ndarray, repeats: int) -> dict[str, list[tuple[int, float, float]]]:
    """(batch, median ms, p90 ms) at batch 1 and 32 for each .tflite, one interpreter thread each.

    The models take turns call by call: on a shared core whose speed drifts by the second (neighbours'
    load), blocks of calls timed one model after the other were seen to differ by 2x between runs.
    """
    from ml.classify import Classifier

    classifiers = {label: Classifier(path, num_threads=1) for label, path in models.items()}
    rows: dict[str, list[tuple[int, float, float]]] = {label: [] for label in models}
    for batch, n in ((1, repeats), (32, max(20, repeats // 8))):
        samples: dict[str, list[float]] = {label: [] for label in models}
        for _ in range(5):  # warm-up
            for clf in classifiers.values():
                clf.predict(faces[:batch])
        for _ in range(n):
            for label, clf in classifiers.items():
                samples[label] += _common.timed(lambda c=clf, b=batch: c.predict(faces[:b]), 1, warmup=0)
        for label, times in samples.items():
            rows[label].append((batch, _common.median_ms(times), _common.p90_ms(times)))
    return rows


def main() -> None:
    p = _common.parser(__doc__)
    p.add_argument("--repeats", type=int, default=200, help="timed calls at batch 1")
    p.add_argument("--keras", action="store_true", help="also time Keras predict at batch 1")
    p.add_argument("--tflite", help="also time this .tflite, beside the served one, and print the ratio")
    args = p.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)

    import json

    import ml
    from ml.classify import SERVED_TFLITE

    manifest = json.loads(ml.SERVED_MANIFEST.read_text())
    models = {f"{ml.MODEL_VERSION} ({manifest.get('precision', 'float16')})": SERVED_TFLITE}
    if args.tflite:
        models[args.tflite] = args.tflite

    _common.pin_to_one_core()
    faces = np.random.default_rng(0).integers(0, 256, (32, 48, 48), dtype=np.uint8)
    with _common.training_paused():
        peak_speeds = _common.matmul_peak_gflops()
        peak = max(peak_speeds.values())
        runs = speeds(models, faces, args.repeats)
        if args.keras:
            from ml.training import model as models_

            net = models_.build(manifest.get("arch", "reference"))
            x = faces[:1].astype(np.float32)[..., None] / 255
            k = _common.timed(lambda: net.predict(x, verbose=0), 30)
            keras_ms = _common.median_ms(k)

    measured = ", ".join(f"{name} {gflops:.1f}" for name, gflops in peak_speeds.items())
    print(f"core float32 peak (single-thread 2048^3 matmul; {measured}): {peak:.1f} GFLOP/s")
    print(
        f"reference network: {GFLOP_PER_FACE:.3f} GFLOP per face -> float32 limit {peak / GFLOP_PER_FACE:.0f} faces/s"
    )
    figures.update(
        float32_peak_gflop_per_s=peak,
        float32_peak_gflop_per_s_by_library=peak_speeds,
        gflop_per_face=GFLOP_PER_FACE,
        float32_limit_faces_per_s=peak / GFLOP_PER_FACE,
    )
    per_s = {}
    for (label, rows), key in zip(runs.items(), ("served", "candidate")):
        print(f"model {label}")
        print(f"{'batch':>5} {'median ms':>10} {'p90 ms':>8} {'faces/s':>8}")
        figures.section(key)["model"] = label
        for batch, med, p90 in rows:
            per_s[label, batch] = batch / (med / 1000)
            print(f"{batch:>5} {med:>10.2f} {p90:>8.2f} {per_s[label, batch]:>8.0f}")
            figures.section(key)[f"batch_{batch}"] = {
                "median_ms": med,
                "p90_ms": p90,
                "faces_per_s": per_s[label, batch],
            }
    if args.tflite:
        served = next(iter(models))
        for batch in (1, 32):
            ratio = per_s[args.tflite, batch] / per_s[served, batch]
            print(f"{args.tflite} / served at batch {batch}: {ratio:.2f}x")
            figures.section("candidate")[f"ratio_to_served_batch_{batch}"] = ratio
    if args.keras:
        print(f"keras predict, batch 1: median {keras_ms:.1f} ms = {1000 / keras_ms:.0f} faces/s")
        figures["keras_batch_1"] = {"median_ms": keras_ms, "faces_per_s": 1000 / keras_ms}
    figures.finish()


if __name__ == "__main__":
    main()
