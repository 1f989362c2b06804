"""POST /api/live/ refuses anonymous callers, non-images and over-size frames, with clear messages."""

import pytest

from tests.analysis.live.frames import face_frame, face_picture, post_frame
from tests.photos import encode


def test_it_refuses_an_anonymous_caller(db, make_api_client, face_jpeg):
    response = post_frame(make_api_client(), face_jpeg)

    assert response.status_code in (401, 403)
    assert "credentials" in response.json()["detail"].lower()


def test_it_refuses_a_text_file_sent_as_a_jpeg(alice_api):
    response = post_frame(alice_api, b"this is not a picture" * 10)

    assert response.status_code == 400
    assert response.json() == {"file": ["This is not a JPEG, PNG or WebP image."]}


def test_it_refuses_a_gif_even_though_it_is_an_image(alice_api):
    response = post_frame(alice_api, encode(face_picture(), "GIF"), "frame.gif", "image/gif")

    assert response.status_code == 400
    assert response.json() == {"file": ["This is not a JPEG, PNG or WebP image."]}


def test_it_refuses_a_truncated_jpeg(alice_api, face_jpeg):
    response = post_frame(alice_api, face_jpeg[: len(face_jpeg) // 2])

    assert response.status_code == 400
    assert "damaged or incomplete" in response.json()["file"][0]


@pytest.mark.parametrize("size", [(800, 600), (640, 641)])
def test_it_refuses_a_frame_larger_than_640_pixels(alice_api, size):
    response = post_frame(alice_api, face_frame(*size))

    assert response.status_code == 400
    assert response.json()["file"] == [
        f"The frame is {size[0]} x {size[1]} pixels; the limit is 640 x 640. Scale it down before sending."
    ]


def test_it_refuses_a_frame_over_256_kb(alice_api):
    import numpy as np

    noise = np.random.default_rng(0).integers(0, 256, (640, 640, 3), dtype=np.uint8)
    big = encode(noise, "PNG")
    assert len(big) > 256 * 1024

    response = post_frame(alice_api, big, "frame.png", "image/png")

    assert response.status_code == 400
    assert response.json()["file"][0].endswith("the limit is 256 KB.")


def test_it_refuses_a_request_without_a_file(alice_api):
    response = alice_api.post("/api/live/", {}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["No file was submitted."]}


def test_it_refuses_an_empty_file(alice_api):
    response = post_frame(alice_api, b"")

    assert response.status_code == 400
    assert response.json()["file"][0] in ("The submitted file is empty.", "The frame is empty.")
