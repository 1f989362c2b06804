import os
from pathlib import Path

import numpy as np
import pytest

from ml.evaluation import fer2013


def synthetic_faces(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (n,48,48) noise faces whose class k shows a bright bar at row band k: learnable."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 7, n)
    x = rng.integers(0, 90, (n, 48, 48)).astype(np.uint8)
    for i, k in enumerate(y):
        x[i, 6 * k : 6 * k + 6, 4:44] = 230
    return x, y.astype(np.uint8)


@pytest.fixture
def synthetic_npz(tmp_path) -> Path:
    x_train, y_train = synthetic_faces(256, seed=1)
    x_val, y_val = synthetic_faces(64, seed=2)
    path = tmp_path / "synthetic.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, x_test=x_val[:32], y_test=y_val[:32])
    return path


@pytest.fixture(scope="session")
def fer_data() -> Path:
    """The real FER2013 npz ($FER_DATA or ../shared/data); a missing file fails under CI."""
    path = fer2013.data_path()
    if not path.exists():
        if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"FER2013 data not found at {path}: set FER_DATA")
        pytest.skip(f"FER2013 data not found at {path}")
    return path


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """uint8 (512,512,3) RGB: one frontal face, public domain (scikit-image)."""
    from skimage import data as skdata

    return skdata.astronaut()
