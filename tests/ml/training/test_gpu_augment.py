"""The accelerator's augmentation (JAX): faces keep their shape and range, a key gives the same draw."""

import numpy as np
import pytest

jax = pytest.importorskip("jax", reason="requirements-train.txt installs JAX")

from ml.training.gpu_augment import Augment, augment  # noqa: E402

NOTHING = Augment(rotate=0, zoom=0, shift=0, brightness=0, contrast=0, gamma=0, blur=0, noise=0, erase=0)


@pytest.fixture
def faces():
    x = np.random.default_rng(0).integers(0, 256, (16, 48, 48)).astype(np.float32) / 255
    return jax.numpy.asarray(x[..., None])


def test_augmented_faces_keep_their_shape_and_stay_in_range(faces):
    out = np.asarray(augment(jax.random.key(0), faces))

    assert out.shape == faces.shape and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    assert not np.allclose(out, np.asarray(faces))


def test_the_same_key_gives_the_same_faces_and_another_key_others(faces):
    a, b = augment(jax.random.key(1), faces), augment(jax.random.key(1), faces)
    c = augment(jax.random.key(2), faces)

    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.allclose(np.asarray(a), np.asarray(c))


def test_with_every_change_off_a_face_is_itself_or_its_mirror_and_both_happen(faces):
    out = np.asarray(augment(jax.random.key(3), faces, NOTHING))[..., 0]
    src = np.asarray(faces)[..., 0]
    same = [np.allclose(o, s, atol=1e-5) for o, s in zip(out, src)]
    mirrored = [np.allclose(o, s[:, ::-1], atol=1e-5) for o, s in zip(out, src)]

    assert all(a or b for a, b in zip(same, mirrored))
    assert any(same) and any(mirrored)


def test_random_erasing_replaces_a_rectangle_and_leaves_the_rest(faces):
    only_erase = Augment(**{**NOTHING.__dict__, "erase": 1.0, "erase_area": (0.1, 0.1)})
    out = np.asarray(augment(jax.random.key(4), faces, only_erase))[..., 0]
    src = np.asarray(faces)[..., 0]
    changed = [(~np.isclose(o, s, atol=1e-5) & ~np.isclose(o, s[:, ::-1], atol=1e-5)).mean() for o, s in zip(out, src)]

    assert all(0 < share <= 0.2 for share in changed)
