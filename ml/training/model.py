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


def vgg(width: int = 64, name: str = "vgg", dropout: float = 0.4) -> KerasModel:
    """A VGG-style network for 48x48 faces, the kind that reaches 72-73% on FER2013 (Khaireddin and
    Chen, 2021): four blocks of two 3x3 convolutions (``width``, 2x, 4x, 8x filters) with BatchNorm
    and ReLU, max-pooled 48 -> 24 -> 12 -> 6 -> 3, global average pooling, dropout, Dense 7.

    Global pooling rather than a 4,608-wide flatten: the head stays small, so a teacher's weights fit
    in one file the accelerator can send back, and the student serves quickly. No dropout feeds a
    BatchNorm (the reference network's moving statistics suffered from that, see ``ml.training.train``).
    ``width`` 64: about 4.7M parameters and 0.9 GFLOP per face; 32: a quarter of both.
    """
    import keras
    from keras import layers

    inputs = keras.Input((FACE_SIZE, FACE_SIZE, 1), name="face")
    x = inputs
    for block, filters in enumerate([width, 2 * width, 4 * width, 8 * width], start=1):
        for i in (1, 2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"b{block}_conv{i}")(x)
            x = layers.BatchNormalization(name=f"b{block}_bn{i}")(x)
            x = layers.Activation("relu", name=f"b{block}_relu{i}")(x)
        x = layers.MaxPooling2D(2, name=f"b{block}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="drop")(x)
    # float32 output under a mixed-precision policy: the loss reads these probabilities.
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="emotion")(x)
    return keras.Model(inputs, outputs, name=name)


def resnet(width: int = 48, name: str = "resnet", dropout: float = 0.2) -> KerasModel:
    """A ResNet-18 for 48x48 faces: a 3x3 stem (no early down-sampling, the faces are small), four
    stages of two basic blocks (``width``, 2x, 4x, 8x filters; 48 -> 24 -> 12 -> 6), global average
    pooling, dropout, Dense 7. ``width`` 48: about 6.3M parameters (float16 weights under the 16 MiB a file
    the accelerator can send back) and 1.4 GFLOP per face; 64 is ResNet-18's own width (11.2M, 2.5 GFLOP)."""
    import keras
    from keras import layers

    def conv_bn(x: KerasModel, filters: int, stride: int, label: str, relu: bool = True) -> KerasModel:
        x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False, name=f"{label}_conv")(x)
        x = layers.BatchNormalization(name=f"{label}_bn")(x)
        return layers.Activation("relu", name=f"{label}_relu")(x) if relu else x

    inputs = keras.Input((FACE_SIZE, FACE_SIZE, 1), name="face")
    x = conv_bn(inputs, width, 1, "stem")
    for stage, filters in enumerate([width, 2 * width, 4 * width, 8 * width], start=1):
        for block in (1, 2):
            stride = 2 if stage > 1 and block == 1 else 1
            label = f"s{stage}b{block}"
            shortcut = x
            if stride != 1 or shortcut.shape[-1] != filters:
                shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False, name=f"{label}_proj")(x)
                shortcut = layers.BatchNormalization(name=f"{label}_proj_bn")(shortcut)
            y = conv_bn(x, filters, stride, f"{label}_a")
            y = conv_bn(y, filters, 1, f"{label}_b", relu=False)
            x = layers.Activation("relu", name=f"{label}_out")(layers.Add(name=f"{label}_add")([shortcut, y]))
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="drop")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="emotion")(x)
    return keras.Model(inputs, outputs, name=name)


def student() -> KerasModel:
    """The served candidate distilled from the teachers (``ml.training.distill``): the VGG shape at
    width 48, 2.6M parameters and 0.53 GFLOP per face (the reference network: 4.5M, 0.58). Its int8
    LiteRT export ran at 0.98x the served reference's speed at batch 1 on one core (0.82x at batch 32;
    `python bench/classifier.py --tflite student.tflite`, untrained weights, Intel Xeon with AMX)."""
    return vgg(width=48, name="student", dropout=0.3)


ARCHITECTURES: dict[str, Callable[[], KerasModel]] = {
    "reference": reference,
    "tiny": tiny,
    "vgg": vgg,
    "resnet": resnet,
    "student": student,
}


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
