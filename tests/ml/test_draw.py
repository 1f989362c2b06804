"""ml.draw: boxes and labels drawn the same way on photos (the CLI) and on clips (annotated copies)."""

import numpy as np

import ml
from ml.draw import BOX_RGB, draw_faces
from ml.pipeline import Face
from ml.summary import Row


def test_it_draws_a_box_and_leaves_the_original_alone():
    image = np.zeros((200, 300, 3), np.uint8)
    face = Face((100, 80, 60, 60), dict.fromkeys(ml.EMOTIONS, 1 / 7), "happy", 0.5)

    drawn = draw_faces(image, [face])

    assert tuple(drawn[140, 130]) == BOX_RGB and tuple(drawn[110, 100]) == BOX_RGB  # bottom and left edges
    assert tuple(drawn[110, 130]) == (0, 0, 0)  # inside the box
    assert not image.any()


def test_a_clips_rows_draw_like_faces_and_faceless_rows_draw_nothing():
    image = np.zeros((200, 300, 3), np.uint8)
    probabilities = {name: 0.5 if name == "happy" else 0.5 / 6 for name in ml.EMOTIONS}
    face = Face((100, 80, 60, 60), probabilities, "happy", 0.5)
    row = Row(0, 0, 1, (100, 80, 60, 60), probabilities, "happy")

    assert np.array_equal(draw_faces(image, [row]), draw_faces(image, [face]))
    assert not draw_faces(image, [Row(0, 0, None, None, None, "")]).any()
