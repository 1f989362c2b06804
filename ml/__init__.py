"""Facial-emotion recognition: data, model, training, evaluation, export, detection, pipeline.

Pure Python: nothing under ml/ imports Django, and importing this package is cheap (TensorFlow,
OpenCV and LiteRT are imported by the submodules that need them, when they are first used).
"""

import json
from pathlib import Path

# FER2013 label order: index i of every probability vector is EMOTIONS[i].
EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
SERVED_MANIFEST = WEIGHTS_DIR / "served.json"


def _served_version() -> str:
    try:
        version: str = json.loads(SERVED_MANIFEST.read_text())["model_version"]
        return version
    except (OSError, ValueError, KeyError):
        return "untrained"


# Names the weights that ml.classify serves; stored beside every result the platform keeps.
MODEL_VERSION = _served_version()
