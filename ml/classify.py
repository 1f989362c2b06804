"""Fast emotion classification of face crops with the exported LiteRT (TFLite) model.

``Classifier.predict`` takes uint8 (N, 48, 48) grey faces and returns float32 (N, 7) probabilities
in FER order, with exactly the training preprocessing (``ml.faces.to_model_input``), calibrated by
the temperature fitted for the served weights (``ml.calibration``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

import ml
from ml import SERVED_TFLITE as SERVED_TFLITE  # re-exported: callers read it here
from ml.calibration import Calibration, apply_temperature, load
from ml.faces import to_model_input

MAX_BATCH = 32


class Classifier:
    """A LiteRT interpreter per batch size (1, 2, 4, ... 32), built when first needed.

    Resizing one interpreter's input for every call re-plans its memory and re-packs weights;
    padding a batch up to the next power of two costs less than that.
    """

    def __init__(
        self,
        model_path: str | Path = SERVED_TFLITE,
        num_threads: int = 1,
        calibration: Calibration | None = None,
    ):
        """``calibration``: default the one fitted for the served weights when ``model_path`` is
        theirs, else none (``Calibration()``, probabilities as trained)."""
        if calibration is None:
            served_file = Path(model_path).resolve() == SERVED_TFLITE.resolve()
            calibration = load(ml.MODEL_VERSION) if served_file else Calibration()
        self.calibration = calibration
        self.model_path = str(model_path)
        self.num_threads = num_threads
        # batch size -> (interpreter, input index, output index); LiteRT has no type information.
        self._interpreters: dict[int, tuple[Any, int, int]] = {}
        self._interpreter(1)  # fail early on a missing or broken model file

    def _interpreter(self, batch: int) -> tuple[Any, int, int]:
        if batch not in self._interpreters:
            from ai_edge_litert.interpreter import Interpreter

            interp = Interpreter(model_path=self.model_path, num_threads=self.num_threads)
            inp = interp.get_input_details()[0]
            if tuple(inp["shape"]) != (batch, 48, 48, 1):
                interp.resize_tensor_input(inp["index"], [batch, 48, 48, 1], strict=False)
            interp.allocate_tensors()
            self._interpreters[batch] = (interp, inp["index"], interp.get_output_details()[0]["index"])
        return self._interpreters[batch]

    def _run(self, x: np.ndarray) -> np.ndarray:
        n = len(x)
        bucket = 1 << (n - 1).bit_length()
        interp, inp, out = self._interpreter(bucket)
        if bucket != n:
            x = np.concatenate([x, np.zeros((bucket - n, *x.shape[1:]), x.dtype)])
        interp.set_tensor(inp, np.ascontiguousarray(x))
        interp.invoke()
        probs: np.ndarray = interp.get_tensor(out)[:n].copy()
        return probs

    def predict(self, faces: np.ndarray, tta: bool = False) -> np.ndarray:
        """Probabilities float32 (N,7) of uint8 (N,48,48) faces; ``tta`` averages each face with
        its mirror image (twice the work)."""
        faces = np.asarray(faces)
        if faces.ndim != 3 or faces.shape[1:] != (48, 48) or faces.dtype != np.uint8:
            raise ValueError(f"faces must be uint8 (N,48,48), got {faces.dtype} {faces.shape}")
        if len(faces) == 0:
            return np.zeros((0, 7), np.float32)
        x = to_model_input(faces)
        if tta:
            x = np.concatenate([x, x[:, :, ::-1]])
        probs = np.concatenate([self._run(x[i : i + MAX_BATCH]) for i in range(0, len(x), MAX_BATCH)])
        if tta:
            probs = (probs[: len(faces)] + probs[len(faces) :]) / 2
        if self.calibration.temperature != 1.0:
            probs = apply_temperature(probs, self.calibration.temperature)
        return probs


@functools.cache
def served() -> Classifier:
    """The served model, loaded once per process (the platform's workers keep it warm)."""
    return Classifier()
