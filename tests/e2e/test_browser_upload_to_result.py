"""In headless Chromium: sign up, upload a photo, wait for the real worker, see the labelled face box.

Runs against pytest-django's live_server and a real `celery -A fer_site worker` process (the
start_celery_worker fixture in tests/conftest.py) on the same test database. Skips when Chromium or
Playwright is missing, unless REQUIRE_SERVICES=1, which turns the skip into a failure (as in CI).
"""

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

import ml
from analysis.models import Media

pytestmark = pytest.mark.worker

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A cold worker loads TensorFlow and the model before its first photo; on a busy 2-core machine that
# can take a minute, so the wait for the result is generous. A warm worker answers in about a second.
RESULT_TIMEOUT_MS = 240_000


def _require(name: str, available: bool, detail: str = "") -> None:
    # Same rule as tests/conftest.py's require_service: skip locally, fail under REQUIRE_SERVICES=1.
    if available:
        return
    message = f"{name} is not available{': ' + detail if detail else ''}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def browser(monkeypatch):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _require("Playwright", False, str(exc))
    _require("Chromium", Path(CHROMIUM).is_file(), f"no browser at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made here by the
    # test itself (reading the Media row) would otherwise be refused as "async unsafe".
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def astronaut_png(tmp_path) -> Path:
    from skimage import data

    path = tmp_path / "astronaut.png"
    Image.fromarray(data.astronaut()).save(path)
    return path


def test_a_new_user_uploads_a_photo_and_sees_the_labelled_face_on_the_detail_page(
    live_server, start_celery_worker, browser, astronaut_png
):
    worker = start_celery_worker(beat=True, timeout=240)
    # A phone-sized window, so the 512-pixel photo is shown smaller than it is and the boxes must be
    # scaled from original pixels to displayed size to land on the face.
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(30_000)
    console_errors = []
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", "astro")
    page.fill("#id_password1", "a-long-secret-42")
    page.fill("#id_password2", "a-long-secret-42")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/upload/")

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
    face = media.faces.get()  # the astronaut photo shows exactly one face
    label = page.locator("#stage .facebox__label").first.inner_text()
    assert any(name in label for name in ml.EMOTIONS), label
    assert face.emotion in label

    # The drawn box sits where the stored box is, scaled to the displayed photo (within 2 px).
    image = page.locator("#stage img").bounding_box()
    box = page.locator("#stage .facebox").first.bounding_box()
    scale = image["width"] / media.width
    assert image["width"] < media.width  # the photo really is shown scaled down
    assert box["x"] - image["x"] == pytest.approx(face.x * scale, abs=2)
    assert box["y"] - image["y"] == pytest.approx(face.y * scale, abs=2)
    assert box["width"] == pytest.approx(face.w * scale, abs=2)
    assert box["height"] == pytest.approx(face.h * scale, abs=2)
    # The probability chart beside it has the seven emotions of the face.
    assert page.locator("#face-1 .bars__row").count() == len(ml.EMOTIONS)
    assert console_errors == []
