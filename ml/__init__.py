"""Facial-emotion recognition: serving at the top (detect, classify, pipeline, video, ...), with
``ml.training`` (TensorFlow/Keras, JAX), ``ml.evaluation`` and ``ml.experiments`` as subpackages.

Pure Python: nothing under ml/ imports Django, serving never imports training, and importing this
package is cheap (OpenCV and LiteRT are imported by the submodules that need them, when first used).
"""

import json
from pathlib import Path

# FER2013 label order: index i of every probability vector is EMOTIONS[i].
EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
SERVED_MANIFEST = WEIGHTS_DIR / "served.json"


def _served(key: str, default: str) -> str:
    try:
        value: str = json.loads(SERVED_MANIFEST.read_text())[key]
        return value
    except (OSError, ValueError, KeyError):
        return default


# Names the weights that ml.classify serves; stored beside every result the platform keeps.
MODEL_VERSION = _served("model_version", "untrained")
# The LiteRT file ml.classify serves (ml.training.export names it after the architecture).
SERVED_TFLITE = WEIGHTS_DIR / _served("tflite", "reference.tflite")
