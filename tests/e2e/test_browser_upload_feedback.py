"""In headless Chromium: the upload page's script sends each file on its own and reports each verdict.

No worker is needed: this checks the browser side (drag-and-drop/picker -> one API request per file ->
per-file accepted/rejected rows with the server's reason), and that the gallery marks the new item.
"""

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from analysis.models import Media

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _require(name: str, available: bool, detail: str = "") -> None:
    # Same rule as tests/conftest.py's require_service: skip locally, fail under REQUIRE_SERVICES=1.
    if available:
        return
    message = f"{name} is not available{': ' + detail if detail else ''}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def page(monkeypatch, live_server):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _require("Playwright", False, str(exc))
    _require("Chromium", Path(CHROMIUM).is_file(), f"no browser at {CHROMIUM}")
    # The sync API runs an event loop in this thread; the test's own ORM reads must still be allowed.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            tab = browser.new_page(viewport={"width": 1024, "height": 800})
            tab.set_default_timeout(30_000)
            errors = []
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.errors = errors
            yield tab
        finally:
            browser.close()


def test_each_file_gets_its_own_verdict_and_a_bad_one_does_not_stop_the_good_ones(page, live_server, tmp_path):
    good = tmp_path / "beach.png"
    Image.new("RGB", (120, 90), (30, 140, 200)).save(good)
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a photo at all")
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", "uploader")
    page.fill("#id_password1", "a-long-secret-42")
    page.fill("#id_password2", "a-long-secret-42")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/upload/")

    page.set_input_files("#id_file", [str(good), str(fake)])
    page.wait_for_function("document.querySelectorAll('.filelist__item[data-result]').length === 2")

    rows = {
        page.locator(".filelist__item").nth(i).locator(".filelist__name").inner_text(): page.locator(
            ".filelist__item"
        ).nth(i)
        for i in range(2)
    }
    assert rows["beach.png"].get_attribute("data-result") == "accepted"
    assert rows["notes.jpg"].get_attribute("data-result") == "rejected"
    assert "Rejected: This is not a JPEG, PNG or WebP image." in rows["notes.jpg"].inner_text()
    media = Media.objects.get(user__username="uploader")
    assert media.original_name == "beach.png"
    assert rows["beach.png"].get_by_role("link", name="View result").get_attribute("href") == f"/media/{media.pk}/"

    # The gallery shows the new item as waiting, marked for the polling script.
    page.goto(f"{live_server.url}/gallery/")
    tile = page.locator(f'.tile[data-id="{media.pk}"]')
    assert tile.get_attribute("data-status") == "queued"

    # When the item finishes, gallery.js updates its badges in place, without a reload.
    page.evaluate("window.notReloaded = true")
    Media.objects.filter(pk=media.pk).update(status=Media.Status.DONE, dominant_emotion="happy", face_count=2)
    page.wait_for_selector(f'.tile[data-id="{media.pk}"][data-status="done"]', timeout=30_000)
    assert tile.locator("[data-role=status]").inner_text() == "done"
    assert tile.locator("[data-role=emotion]").inner_text() == "happy"
    assert tile.locator("[data-role=faces]").inner_text() == "2 faces"
    assert page.evaluate("window.notReloaded") is True
    assert page.errors == []
