"""Export trained weights to what the platform serves: ``python -m ml.training.export --help``.

Writes, under ml/weights/ (or ``--out-dir``):
- ``<arch>.npz``: the Keras weights in float16, no optimizer state (``ml.training.model.load_compact``);
- ``<arch>.tflite``: the LiteRT model that ``ml.classify`` runs, by default with int8 weights and
  activations quantized on the fly (``--precision dynamic-int8``), else float16 weights;
- ``served.json``: the model version, its source and the measured parity.
The export is refused when the LiteRT model's top class differs from the float32 Keras model's on
more than 0.5% of the validation faces.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ml import WEIGHTS_DIR
from ml.evaluation import fer2013
from ml.faces import FACE_SIZE, to_model_input

PARITY_REQUIRED = 0.995
# dynamic-int8: weights stored as int8, each layer's input quantized per batch at run time, so
# XNNPACK multiplies in int8 (AVX-512 VNNI / AVX2): about 5x the float speed here at half the size,
# with no calibration set. float16: float32 arithmetic on float16-stored weights.
PRECISIONS = ("dynamic-int8", "float16")


# ``model``: a keras.Model (Keras has no type information, see pyproject.toml).
def to_tflite(model: Any, path: Path, precision: str = "dynamic-int8") -> None:
    """Convert a Keras model (inference mode, any batch size) to a .tflite file."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    import keras
    import tensorflow as tf

    # Through a SavedModel: converting a tf.function over Keras 3 variables directly leaves them
    # as resource variables that LiteRT cannot read (READ_VARIABLE fails at invoke).
    spec = keras.InputSpec(shape=(None, FACE_SIZE, FACE_SIZE, 1), dtype="float32")
    with tempfile.TemporaryDirectory() as saved:
        model.export(saved, format="tf_saved_model", input_signature=[spec], verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved)
        # Optimize.DEFAULT without a representative dataset is dynamic-range int8 quantization.
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if precision == "float16":
            converter.target_spec.supported_types = [tf.float16]
        path.write_bytes(converter.convert())


def top1_agreement(model: Any, tflite_path: Path, faces: np.ndarray) -> float:
    """Share of ``faces`` (uint8 N,48,48) whose top class is the same in Keras and LiteRT."""
    from ml.classify import Classifier

    keras_top = model.predict(to_model_input(faces), batch_size=256, verbose=0).argmax(1)
    lite_top = Classifier(tflite_path).predict(faces).argmax(1)
    return float((keras_top == lite_top).mean())


def export(
    model: Any,
    arch: str,
    out_dir: Path,
    version: str,
    source: str,
    parity_faces: np.ndarray,
    precision: str = "dynamic-int8",
) -> dict[str, Any]:
    """Write <arch>.npz, <arch>.tflite and served.json; returns the manifest."""
    from ml.training.model import save_compact

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / f"{arch}.tflite"
        to_tflite(model, candidate, precision)
        agreement = top1_agreement(model, candidate, parity_faces)
        if agreement < PARITY_REQUIRED:
            raise SystemExit(f"{precision} parity {agreement:.4f} < {PARITY_REQUIRED}: not exported")
        (out_dir / f"{arch}.tflite").write_bytes(candidate.read_bytes())
    save_compact(model, out_dir / f"{arch}.npz")
    manifest = {
        "model_version": version,
        "arch": arch,
        "tflite": f"{arch}.tflite",
        "precision": precision,
        "keras_weights": f"{arch}.npz",
        "source": source,
        "exported": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parity_top1": agreement,
        "parity_faces": int(len(parity_faces)),
    }
    (out_dir / "served.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ml.training.export", description=__doc__.split("\n")[0])
    p.add_argument("--weights", required=True, help=".weights.h5, .keras or .npz to export")
    p.add_argument("--arch", default="reference")
    p.add_argument("--version", required=True, help="model version name, e.g. reference-2026-11-26")
    p.add_argument("--data", help="FER2013 npz for the parity check (validation split)")
    p.add_argument("--out-dir", default=str(WEIGHTS_DIR))
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="dynamic-int8",
        help="LiteRT arithmetic (default dynamic-int8; float16 when its parity falls short)",
    )
    args = p.parse_args(argv)

    from ml.training import model as models

    model = models.build(args.arch)
    models.load_weights(model, args.weights)
    x_val, _ = fer2013.load_split(args.data, "val")
    manifest = export(
        model, args.arch, Path(args.out_dir), args.version, Path(args.weights).name, x_val, args.precision
    )
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
