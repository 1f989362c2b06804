import cv2
import numpy as np
import pytest

from ml.detect import DetectorSettings, crop_faces, detect_faces
from ml.pipeline import to_grey


def only_box(grey, settings=DetectorSettings()):
    boxes = detect_faces(grey, settings)
    assert len(boxes) == 1, boxes
    return np.array(boxes[0], dtype=float)


def largest_box(grey):
    boxes = detect_faces(grey)
    assert boxes
    return np.array(max(boxes, key=lambda b: b[2]), dtype=float)


def test_detection_boxes_map_back_to_original_pixels(astronaut):
    grey = to_grey(astronaut)
    small = only_box(grey)
    # 2400x2400 is downscaled for detection; its box must come back in its own pixels.
    big = cv2.resize(grey, (2400, 2400), interpolation=cv2.INTER_CUBIC)
    assert DetectorSettings().detection_scale(2400, 2400) < 1
    large = largest_box(big)  # upscaled texture may add small false hits
    factor = 2400 / 512
    assert large == pytest.approx(small * factor, abs=0.12 * small[2] * factor)


def test_the_face_sits_where_the_astronaut_is(astronaut):
    x, y, w, h = only_box(to_grey(astronaut))
    # Eileen Collins' face is roughly in the box x 160-260, y 60-190 of the 512x512 picture.
    assert 150 < x + w / 2 < 270 and 50 < y + h / 2 < 190 and 60 < w < 160


def test_a_40_pixel_face_in_a_1080p_photo_is_found(astronaut):
    grey = to_grey(astronaut)
    # The face's size as the coarse scan (the one that finds small faces) boxes it: the fine pass boxes
    # the large original about 12% wider, which would make the shrunk face smaller than 40 of these.
    x, y, w, h = only_box(grey, DetectorSettings(fine_from=0))
    scale = 40 / w
    face = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    canvas = np.full((1080, 1920), 128, np.uint8)
    canvas[500 : 500 + face.shape[0], 900 : 900 + face.shape[1]] = face
    bx, by, bw, bh = only_box(canvas)
    assert abs(bx - (900 + x * scale)) < 10 and abs(by - (500 + y * scale)) < 10


def test_a_crop_frames_the_face_as_the_geometry_says_and_fills_beyond_the_border_with_edge_pixels():
    from ml.faces import FrameGeometry

    grey = np.random.default_rng(0).integers(0, 256, (100, 100)).astype(np.uint8)
    geometry = FrameGeometry(scale=1.2, dx=0.1, dy=-0.04)
    crops = crop_faces(grey, [(40, 40, 20, 20), (0, 0, 50, 50)], geometry)
    assert crops.shape == (2, 48, 48) and crops.dtype == np.uint8

    def resized(region):
        return cv2.resize(region, (48, 48), interpolation=cv2.INTER_AREA)

    # Side 24 around the centre (50 + 2, 50 - 0.8): 40..64 across, 37..61 down.
    np.testing.assert_array_equal(crops[0], resized(grey[37:61, 40:64]))
    # Side 60 around (25 + 5, 25 - 2): 0..60 across, -7..53 down, padded above with the top row.
    padded = cv2.copyMakeBorder(grey[0:53, 0:60], 7, 0, 0, 0, cv2.BORDER_REPLICATE)
    np.testing.assert_array_equal(crops[1], resized(padded))


def group_photo(grey, sizes):
    """The astronaut's face cut out at each of ``sizes`` (pixels) side by side on a grey canvas."""
    x, y, w, h = only_box(grey).astype(int)
    pad = w // 2
    face = grey[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad]
    canvas = np.full((max(sizes) * 2 + 40, sum(sizes) * 2 + 40 * len(sizes)), 128, np.uint8)
    left = 20
    for side in sizes:
        copy = cv2.resize(face, (side * 2, side * 2), interpolation=cv2.INTER_AREA)
        canvas[20 : 20 + copy.shape[0], left : left + copy.shape[1]] = copy
        left += copy.shape[1] + 40
    return canvas


def test_painting_the_large_faces_found_changes_no_box_in_a_group_photo(astronaut):
    # The coarse pass runs on a copy where the fine pass's large faces are painted flat (to save the
    # time spent re-finding them): a smaller face beside a large one must still be found, as before.
    grey = group_photo(to_grey(astronaut), [220, 60, 90])
    painted = detect_faces(grey)
    assert len(painted) == 3, painted
    assert painted == detect_faces(grey, DetectorSettings(paint_large_faces=False))
    assert sorted(w for _, _, w, _ in painted)[-1] > 1.3 * round(96 * 1.2)  # the large face was painted


def test_the_fine_pass_face_is_painted_in_its_own_mean_grey():
    from ml.detect import _flatten

    image = np.arange(100, dtype=np.uint8).reshape(10, 10)
    out = _flatten(image, [(2, 3, 4, 5)])
    assert (out[3:8, 2:6] == int(image[3:8, 2:6].mean())).all()
    assert (out[:3] == image[:3]).all() and (out[:, 6:] == image[:, 6:]).all()
    assert _flatten(image, []) is image
