"""Network architectures, selectable by name, and compact weight files.

Every network takes float32 (N, 48, 48, 1) in [0, 1] (``ml.faces.to_model_input``) and returns
softmax probabilities (N, 7) in FER order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from ml.faces import FACE_SIZE, NUM_CLASSES

# Keras has no type information (see pyproject.toml): a model here is a keras.Model, typed Any.
KerasModel = Any


def reference(dropout: float = 0.25) -> KerasModel:
    """The seed project's network (4vedi/Emotion-Recognition-system): 4,478,727 parameters.

    Four blocks Conv -> BatchNorm -> ReLU -> MaxPool 2x2 -> Dropout (64 3x3, 128 5x5, 512 3x3,
    512 3x3, 'same' padding: 48 -> 24 -> 12 -> 6 -> 3), flatten (4,608), Dense 256 and 512 each with
    BatchNorm -> ReLU -> Dropout, Dense 7 softmax.
    """
    import keras
    from keras import layers

    inputs = keras.Input((FACE_SIZE, FACE_SIZE, 1), name="face")
    x = inputs
    for i, (filters, kernel) in enumerate([(64, 3), (128, 5), (512, 3), (512, 3)], start=1):
        x = layers.Conv2D(filters, kernel, padding="same", name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"conv{i}_bn")(x)
        x = layers.Activation("relu", name=f"conv{i}_relu")(x)
        x = layers.MaxPooling2D(2, name=f"conv{i}_pool")(x)
        x = layers.Dropout(dropout, name=f"conv{i}_drop")(x)
    x = layers.Flatten(name="flatten")(x)
    for i, units in enumerate([256, 512], start=1):
        x = layers.Dense(units, name=f"dense{i}")(x)
        x = layers.BatchNormalization(name=f"dense{i}_bn")(x)
        x = layers.Activation("relu", name=f"dense{i}_relu")(x)
        x = layers.Dropout(dropout, name=f"dense{i}_drop")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="emotion")(x)
    return keras.Model(inputs, outputs, name="reference")


def tiny() -> KerasModel:
    """A few-thousand-parameter network for fast unit tests of training, resume and export."""
    import keras
    from keras import layers

    inputs = keras.Input((FACE_SIZE, FACE_SIZE, 1), name="face")
    # Named layers: weight files match variables by path, and Keras numbers unnamed layers per process.
    x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.BatchNormalization(name="conv1_bn")(x)
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="conv2")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="emotion")(x)
    return keras.Model(inputs, outputs, name="tiny")


ARCHITECTURES: dict[str, Callable[[], KerasModel]] = {"reference": reference, "tiny": tiny}


def build(name: str) -> KerasModel:
    """A fresh, uncompiled Keras model of the named architecture."""
    try:
        return ARCHITECTURES[name]()
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; choose from {sorted(ARCHITECTURES)}") from None


def save_compact(model: KerasModel, path: str | Path, dtype: DTypeLike = np.float16) -> None:
    """Weights only (no optimizer state), as an npz of arrays keyed by variable path."""
    arrays = {f"{i:03d}:{v.path}": np.asarray(v.numpy(), dtype) for i, v in enumerate(model.weights)}
    # numpy's stub lets a ** mapping fill allow_pickle (bool); every key here is a variable path.
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def load_compact(model: KerasModel, path: str | Path) -> None:
    """Load weights written by ``save_compact`` (cast back to float32), checking names and shapes."""
    with np.load(path, allow_pickle=False) as npz:
        keys = sorted(npz.files)
        if len(keys) != len(model.weights):
            raise ValueError(f"{path} holds {len(keys)} arrays, {model.name} has {len(model.weights)}")
        for key, var in zip(keys, model.weights):
            array = npz[key]
            if key.split(":", 1)[1] != var.path or array.shape != tuple(var.shape):
                raise ValueError(f"{path}: {key} {array.shape} does not fit {var.path} {var.shape}")
            var.assign(array.astype(np.float32))


def load_weights(model: KerasModel, path: str | Path) -> None:
    """Load .npz (compact) or Keras .weights.h5 / .keras weights into ``model``."""
    path = Path(path)
    if path.suffix == ".npz":
        load_compact(model, path)
    elif path.suffix == ".keras":
        import keras

        model.set_weights(keras.models.load_model(path, compile=False).get_weights())
    else:
        model.load_weights(path)
