"""In headless Chromium: sign up, upload a photo, wait for the real worker, see the labelled face box.

Runs against pytest-django's live_server and a real `celery -A fer_site worker` process (the
start_celery_worker fixture in tests/conftest.py) on the same test database. Skips when Chromium or
Playwright is missing, unless REQUIRE_SERVICES=1, which turns the skip into a failure (as in CI).
"""

from pathlib import Path

import pytest
from PIL import Image

import ml
from analysis.models import Media

pytestmark = pytest.mark.worker

# A cold worker loads TensorFlow and the model before its first photo; on a busy 2-core machine that
# can take a minute, so the wait for the result is generous. A warm worker answers in about a second.
RESULT_TIMEOUT_MS = 240_000


@pytest.fixture
def astronaut_png(tmp_path) -> Path:
    from skimage import data

    path = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    return path


def test_a_new_user_uploads_a_photo_and_sees_the_labelled_face_on_the_detail_page(
    live_server, start_celery_worker, new_page, sign_up, astronaut_png
):
    worker = start_celery_worker(beat=True, timeout=240)
    # A phone-sized window, so the 512-pixel photo is shown smaller than it is and the boxes must be
    # scaled from original pixels to displayed size to land on the face.
    page = new_page(width=390, height=844)
    sign_up(page, "astro")

    page.set_input_files("#id_file", str(astronaut_png))
    accepted = page.locator(".filelist__item[data-result]")
    accepted.wait_for()
    assert accepted.get_attribute("data-result") == "accepted", accepted.inner_text()
    accepted.get_by_role("link", name="View result").click()
    page.wait_for_url(f"{live_server.url}/media/**")

    # detail.js polls the API and reloads the page once the item is final; then it draws the boxes.
    page.wait_for_selector("#stage[data-final][data-drawn]", timeout=RESULT_TIMEOUT_MS)
    media = Media.objects.get(user__username="astro")
    assert media.status == Media.Status.DONE, (
        f"The analysis ended {media.status}: {media.error!r}\nWorker output:\n{worker.output()[-4000:]}"
    )
    faces = media.photo_faces  # numbered left to right, the order they are drawn in
    assert faces, "The worker finished but found no face in the astronaut photo."
    boxes = page.locator("#stage .facebox")
    assert boxes.count() == len(faces)

    # Each drawn box sits where its stored box is, scaled to the displayed photo (within 2 px), and
    # carries the face's label.
    image = page.locator("#stage img").bounding_box()
    scale = image["width"] / media.width
    assert image["width"] < media.width  # the photo really is shown scaled down
    for i, face in enumerate(faces):
        box = boxes.nth(i).bounding_box()
        assert box["x"] - image["x"] == pytest.approx(face.box[0] * scale, abs=2)
        assert box["y"] - image["y"] == pytest.approx(face.box[1] * scale, abs=2)
        assert box["width"] == pytest.approx(face.box[2] * scale, abs=2)
        assert box["height"] == pytest.approx(face.box[3] * scale, abs=2)
        label = boxes.nth(i).locator(".facebox__label").inner_text()
        assert f"{i + 1} · {face.emotion} " in label, label
        assert face.emotion in ml.EMOTIONS
        # The probability chart beside the photo has the seven emotions of each face.
        assert page.locator(f"#face-{i + 1} .bars__row").count() == len(ml.EMOTIONS)
    assert page.errors == []
