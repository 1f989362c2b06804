"""Training targets, class weights and the augmented training input pipeline (TensorFlow).

Reading FER2013 is ``ml.evaluation.fer2013``; the preprocessing is ``ml.faces.to_model_input``.

Arrays that cross this module's functions:
- faces: uint8 (N, 48, 48), grey levels 0-255, as stored in the npz;
- labels: integer (N,), FER order (see ``ml.EMOTIONS``);
- model input: float32 (N, 48, 48, 1) in [0, 1] (``ml.faces.to_model_input``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ml.evaluation.fer2013 import FERPLUS_TO_FER
from ml.faces import FACE_SIZE, JITTER, NUM_CLASSES


def soft_targets(labels: np.ndarray, votes: np.ndarray | None, mix: float) -> np.ndarray:
    """float32 (N,7) training targets: ``mix`` of the FER2013 label plus ``1 - mix`` of the FER+
    annotators' vote shares over the seven classes, where a face has votes for any of them.

    With ``mix`` above 0.5 the FER2013 label stays every face's top class (FER2013 labels are what
    validation and PrivateTest score), and the votes add what ten people saw in an ambiguous face.
    """
    onehot: np.ndarray = np.eye(NUM_CLASSES, dtype=np.float32)[labels]
    if votes is None or mix >= 1.0:
        return onehot
    counts = np.clip(votes[:, FERPLUS_TO_FER].astype(np.float32), 0, None)
    total = counts.sum(axis=1, keepdims=True)
    has = total[:, 0] > 0
    shares = np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)
    targets: np.ndarray = onehot.copy()
    targets[has] = mix * onehot[has] + (1 - mix) * shares[has]
    return targets


def teacher_probabilities(
    faces: np.ndarray, models: Sequence[str | Path], weights: Sequence[float] | None = None
) -> np.ndarray:
    """float32 (N,7): the weighted mean of exported networks' probabilities on ``faces``, each the
    average of the face and its mirror image (so a mirrored training face keeps a fitting target).

    Probabilities as trained (no calibration temperature): distillation wants the teachers' own
    relative confidences. Two threads: this runs once, before training starts.
    """
    from ml.calibration import Calibration
    from ml.classify import Classifier

    weights = [1.0] * len(models) if weights is None else list(weights)
    if len(weights) != len(models) or not models or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError("give one non-negative weight per teacher, not all zero")
    total = np.zeros((len(faces), NUM_CLASSES), np.float64)
    for path, weight in zip(models, weights):
        teacher = Classifier(path, num_threads=2, calibration=Calibration())
        total += weight * teacher.predict(faces, tta=True)
    probs: np.ndarray = (total / sum(weights)).astype(np.float32)
    return probs


def class_weights(labels: np.ndarray, power: float = 0.5) -> np.ndarray:
    """Per-class loss weights (inverse frequency)^power, normalised to a mean of 1 per sample.

    power=1 equalises the classes completely, which over-predicts the 436 Disgust faces and costs
    overall accuracy; power=0.5 lifts the rare classes' recall while keeping accuracy (the model
    card reports both). power=0 turns weighting off.
    """
    counts = np.bincount(labels, minlength=NUM_CLASSES).astype(np.float64)
    w = (counts.sum() / (NUM_CLASSES * np.maximum(counts, 1))) ** power
    w /= (w[labels]).mean()
    weights: np.ndarray = w.astype(np.float32)
    return weights


# TensorFlow has no type information here (see pyproject.toml): its tensors and datasets are Any.
def _gaussian_kernel(sigma: float) -> Any:
    import tensorflow as tf

    r = max(1, math.ceil(2.5 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k2 = np.outer(k, k) / np.outer(k, k).sum()
    return tf.constant(k2[:, :, None, None], tf.float32)


def _augment(images: Any, seed: Any, cfg: dict[str, float]) -> Any:
    """Per image: the cascade's framing error (scale and shift as measured by ``ml.training.geometry``),
    a slight rotation and a mirror, then blur, lighting (brightness, contrast, gamma), sensor noise
    and JPEG re-encoding, each as found in photos the platform is sent.

    ``images``: float32 (B,48,48,1) in [0,1]; ``seed``: int32 (2,) stateless seed of the batch, so
    an epoch's augmentation depends only on (seed, epoch, batch) and a resumed run repeats it.
    """
    import tensorflow as tf

    b = tf.shape(images)[0]

    def uniform(k: int, lo: float, hi: float) -> Any:
        return tf.random.stateless_uniform([b], seed + tf.constant([0, 1]) * k, lo, hi)

    def normal(k: int, sd: float) -> Any:
        # The 10-90 percentile half-spread is 1.28 standard deviations; clipped at two of them.
        sd = sd / 1.2816
        return tf.clip_by_value(tf.random.stateless_normal([b], seed + tf.constant([0, 1]) * k) * sd, -2 * sd, 2 * sd)

    angle = uniform(1, -cfg["rotate"], cfg["rotate"]) * (math.pi / 180.0)
    # A frame ``scale`` times the true one shows the face 1/scale the size: sample in log space.
    scale = tf.exp(normal(2, math.log1p(cfg["zoom"])))
    tx = normal(3, cfg["shift"]) * FACE_SIZE
    ty = normal(4, cfg["shift"]) * FACE_SIZE
    flip = tf.where(uniform(5, 0.0, 1.0) < 0.5, -1.0, 1.0)
    brightness = uniform(6, -cfg["brightness"], cfg["brightness"])
    contrast = uniform(7, 1.0 - cfg["contrast"], 1.0 + cfg["contrast"])
    gamma = tf.exp(uniform(8, -cfg["gamma"], cfg["gamma"]))

    # Output pixel (x, y) samples input A @ ((x, y) - c) + c + t, with A = R(angle) F * scale.
    c = (FACE_SIZE - 1) / 2.0
    cos, sin = tf.cos(angle) * scale, tf.sin(angle) * scale
    a0, a1, b0, b1 = flip * cos, -sin, flip * sin, cos
    a2 = c + tx - a0 * c - a1 * c
    b2 = c + ty - b0 * c - b1 * c
    zeros = tf.zeros([b])
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    out = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=[FACE_SIZE, FACE_SIZE],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="NEAREST",
    )
    # Blur: a share of the faces gets one of two Gaussian blurs (a small face enlarged, a soft lens).
    pick = uniform(9, 0.0, 1.0)[:, None, None, None]
    soft = tf.nn.conv2d(out, _gaussian_kernel(0.6), 1, "SAME")
    softer = tf.nn.conv2d(out, _gaussian_kernel(1.0), 1, "SAME")
    p = cfg["blur"]
    out = tf.where(pick < p / 2, softer, tf.where(pick < p, soft, out))
    mean = tf.reduce_mean(out, axis=[1, 2, 3], keepdims=True)
    out = (out - mean) * contrast[:, None, None, None] + mean + brightness[:, None, None, None]
    out = tf.clip_by_value(out, 0.0, 1.0) ** gamma[:, None, None, None]
    noise = tf.random.stateless_normal(tf.shape(out), seed + tf.constant([0, 1]) * 10) * cfg["noise"]
    out = tf.clip_by_value(out + noise * uniform(11, 0.0, 1.0)[:, None, None, None], 0.0, 1.0)
    # JPEG at a random quality for a share of the faces (its blocks and ringing).
    qualities = tf.cast(uniform(12, 40.0, 95.0), tf.int32)
    jpeg = tf.map_fn(
        lambda t: tf.image.adjust_jpeg_quality(t[0], t[1]),
        (out, qualities),
        fn_output_signature=tf.float32,
    )
    out = tf.where(uniform(13, 0.0, 1.0)[:, None, None, None] < cfg["jpeg"], tf.reshape(jpeg, tf.shape(out)), out)
    return tf.clip_by_value(out, 0.0, 1.0)


# zoom and shift are the cascade's own variation around a face (ml.faces.JITTER, measured on
# FER2013 validation): training sees faces framed as the served crop frames real ones.
AUGMENT = {
    "rotate": 10.0,
    "zoom": JITTER.scale,
    "shift": JITTER.shift,
    "brightness": 0.1,
    "contrast": 0.25,
    "gamma": 0.3,
    "blur": 0.25,
    "noise": 0.02,
    "jpeg": 0.25,
}


def train_dataset(
    x: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    batch_size: int,
    seed: int,
    epoch: int,
    augment: bool = True,
) -> Any:
    """tf.data pipeline of one epoch: shuffled by (seed, epoch), augmented, batched, prefetched.

    ``y``: float32 (N,7) targets (``soft_targets``). Yields (float32 (B,48,48,1), float32 (B,7),
    float32 (B,) sample weights).
    """
    import tensorflow as tf

    order = np.random.default_rng([seed, epoch]).permutation(len(x))
    ds = tf.data.Dataset.from_tensor_slices((x[order], y[order], sample_weight[order]))
    ds = ds.batch(batch_size, drop_remainder=False)
    ds = ds.enumerate()

    def prepare(i: Any, batch: tuple[Any, Any, Any]) -> tuple[Any, Any, Any]:
        faces, labels, weights = batch
        images = tf.cast(faces, tf.float32)[..., None] / 255.0
        if augment:
            batch_seed = tf.stack([tf.constant(seed * 1000 + epoch), tf.cast(i, tf.int32) * 16])
            images = _augment(images, batch_seed, AUGMENT)
        return images, labels, weights

    opts = tf.data.Options()
    opts.deterministic = True
    return ds.map(prepare, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE).with_options(opts)
