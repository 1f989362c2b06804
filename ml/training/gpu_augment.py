"""Training augmentation written in JAX, so it runs on the accelerator beside the network (the
TensorFlow pipeline in ``ml.training.data`` runs on this machine's CPU).

``augment(key, images)``: float32 (B, 48, 48, 1) in [0, 1] -> the same shape, each face with its own
draw of: the cascade's framing error (scale and shift, ``ml.faces.JITTER``) with a slight rotation
and a mirror, a blur for a share of the faces, lighting (brightness, contrast, gamma), sensor noise,
and random erasing (a rectangle of noise, Zhong et al. 2017), which the strong FER2013 networks use.
Pure: the same key gives the same faces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ml.faces import FACE_SIZE, JITTER

# JAX has no type information here (it is installed for training only): arrays and keys are Any.
Array = Any


@dataclass(frozen=True)
class Augment:
    rotate: float = 10.0  # degrees, uniform in +-rotate
    zoom: float = JITTER.scale  # the frame's side, log-normal with this 10-90 half-spread
    shift: float = JITTER.shift  # the frame's centre, normal, in frame sides
    brightness: float = 0.1
    contrast: float = 0.25
    gamma: float = 0.3
    blur: float = 0.2  # share of faces blurred (sigma 0.6 or 1.0 pixels)
    noise: float = 0.02
    erase: float = 0.5  # share of faces with a rectangle erased
    erase_area: tuple[float, float] = (0.02, 0.2)


def _gaussian_kernel(sigma: float) -> Array:
    import jax.numpy as jnp

    r = max(1, math.ceil(2.5 * sigma))
    k = jnp.exp(-0.5 * (jnp.arange(-r, r + 1) / sigma) ** 2)
    k2 = jnp.outer(k, k)
    return (k2 / k2.sum())[:, :, None, None]  # HWIO, one channel


def _blur(images: Array, sigma: float) -> Array:
    import jax

    kernel = _gaussian_kernel(sigma).astype(images.dtype)
    return jax.lax.conv_general_dilated(images, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))


def _warp(images: Array, matrices: Array, offsets: Array) -> Array:
    """Output pixel (row, col) samples input ``matrices @ ((row, col) - c) + c + offsets``, bilinear,
    edges extended (the face's own border, as the cascade's frame would show more of the photo)."""
    import jax
    import jax.numpy as jnp

    c = (FACE_SIZE - 1) / 2.0
    rows, cols = jnp.meshgrid(jnp.arange(FACE_SIZE, dtype=jnp.float32), jnp.arange(FACE_SIZE, dtype=jnp.float32))
    grid = jnp.stack([rows.T.ravel() - c, cols.T.ravel() - c])  # (2, H*W), row-major

    def one(image: Array, m: Array, t: Array) -> Array:
        src = m @ grid + c + t[:, None]
        out = jax.scipy.ndimage.map_coordinates(image[:, :, 0], [src[0], src[1]], order=1, mode="nearest")
        return out.reshape(FACE_SIZE, FACE_SIZE, 1)

    return jax.vmap(one)(images, matrices, offsets)


def augment(key: Array, images: Array, cfg: Augment = Augment()) -> Array:
    """float32 (B,48,48,1) in [0,1] -> augmented, same shape and range (see the module's docstring)."""
    import jax
    import jax.numpy as jnp

    b = images.shape[0]
    keys = iter(jax.random.split(key, 24))

    def uniform(lo: float, hi: float, shape: tuple[int, ...] = ()) -> Array:
        return jax.random.uniform(next(keys), (b, *shape), minval=lo, maxval=hi)

    def normal(spread: float) -> Array:
        # The 10-90 percentile half-spread is 1.28 standard deviations; clipped at two of them.
        sd = spread / 1.2816
        return jnp.clip(jax.random.normal(next(keys), (b,)) * sd, -2 * sd, 2 * sd)

    angle = uniform(-cfg.rotate, cfg.rotate) * (math.pi / 180.0)
    scale = jnp.exp(normal(math.log1p(cfg.zoom)))  # a frame this much larger shows the face smaller
    flip = jnp.where(uniform(0.0, 1.0) < 0.5, -1.0, 1.0)
    cos, sin = jnp.cos(angle) * scale, jnp.sin(angle) * scale
    # (row, col) coordinates: rotation, then the mirror on columns.
    matrices = jnp.stack([jnp.stack([cos, -sin * flip], -1), jnp.stack([sin, cos * flip], -1)], -2)
    offsets = jnp.stack([normal(cfg.shift), normal(cfg.shift)], -1) * FACE_SIZE
    out = _warp(images, matrices, offsets)

    pick = uniform(0.0, 1.0)[:, None, None, None]
    out = jnp.where(pick < cfg.blur / 2, _blur(out, 1.0), jnp.where(pick < cfg.blur, _blur(out, 0.6), out))

    brightness = uniform(-cfg.brightness, cfg.brightness)[:, None, None, None]
    contrast = uniform(1.0 - cfg.contrast, 1.0 + cfg.contrast)[:, None, None, None]
    gamma = jnp.exp(uniform(-cfg.gamma, cfg.gamma))[:, None, None, None]
    mean = out.mean(axis=(1, 2, 3), keepdims=True)
    out = jnp.clip((out - mean) * contrast + mean + brightness, 0.0, 1.0) ** gamma
    noise = jax.random.normal(next(keys), out.shape) * cfg.noise * uniform(0.0, 1.0)[:, None, None, None]
    out = jnp.clip(out + noise, 0.0, 1.0)

    # Random erasing: a rectangle of the given area share and aspect ratio 1/3..3, filled with noise.
    area = uniform(*cfg.erase_area) * FACE_SIZE**2
    aspect = jnp.exp(uniform(math.log(1 / 3), math.log(3)))
    h, w = jnp.sqrt(area * aspect), jnp.sqrt(area / aspect)
    cy, cx = uniform(0, FACE_SIZE), uniform(0, FACE_SIZE)
    idx = jnp.arange(FACE_SIZE, dtype=jnp.float32)
    inside_y = jnp.abs(idx[None, :] - cy[:, None]) < h[:, None] / 2
    inside_x = jnp.abs(idx[None, :] - cx[:, None]) < w[:, None] / 2
    erase = (uniform(0.0, 1.0) < cfg.erase)[:, None, None]
    mask = (inside_y[:, :, None] & inside_x[:, None, :] & erase)[..., None]
    out = jnp.where(mask, jax.random.uniform(next(keys), out.shape), out)
    return out
