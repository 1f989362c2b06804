"""Reading FER2013 (``../shared/data/fer2013.npz``, or $FER_DATA): faces, labels and FER+ votes.

NumPy only: evaluation and training both read the data set through this module.
Arrays: faces uint8 (N, 48, 48) grey levels 0-255; labels int64 (N,) in FER order (``ml.EMOTIONS``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ml.faces import FACE_SIZE, NUM_CLASSES

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "fer2013.npz"


def data_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The npz to read: the argument, else $FER_DATA, else ../shared/data/fer2013.npz."""
    return Path(path or os.environ.get("FER_DATA") or DEFAULT_DATA)


def load_split(path: str | os.PathLike[str] | None, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(faces uint8 (N,48,48), labels int64 (N,)) of ``x_<split>``/``y_<split>`` in the npz."""
    with np.load(data_path(path), allow_pickle=False) as npz:
        keys = set(npz.files)
        if f"x_{split}" not in keys or f"y_{split}" not in keys:
            raise KeyError(f"{data_path(path)} has no x_{split}/y_{split} (it has {sorted(keys)})")
        x = npz[f"x_{split}"]
        y = npz[f"y_{split}"].astype(np.int64)
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (FACE_SIZE, FACE_SIZE):
        raise ValueError(f"x_{split} must be uint8 (N,48,48), got {x.dtype} {x.shape}")
    if len(x) != len(y) or (len(y) and (y.min() < 0 or y.max() >= NUM_CLASSES)):
        raise ValueError(f"y_{split} must hold {len(x)} labels in 0..{NUM_CLASSES - 1}")
    return x, y


# FER+ vote columns in FER order (contempt, unknown and "not a face" have no FER class).
FERPLUS_TO_FER = [4, 5, 6, 1, 3, 2, 0]


def load_votes(path: str | os.PathLike[str] | None, split: str) -> np.ndarray | None:
    """int8 (N,10) FER+ votes of ``split`` (-1 where not aligned), or None when the npz has none."""
    with np.load(data_path(path), allow_pickle=False) as npz:
        key = f"ferplus_votes_{split}"
        votes: np.ndarray | None = npz[key] if key in npz.files else None
        return votes
