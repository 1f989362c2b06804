"""Headless Chromium through Playwright for the browser tests.

Playwright drives the system Chromium (never `playwright install`, which downloads a browser). A
missing browser or Playwright skips the test, or fails it under REQUIRE_SERVICES=1 (as in CI).
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.services import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(monkeypatch):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        require_service("Playwright", False, str(exc))
    require_service("Chromium", Path(CHROMIUM).is_file(), f"no browser at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django would refuse the test's own ORM
    # calls (reading rows to check the result) as "async unsafe" without this.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def new_page(browser):
    """Factory for a tab that records uncaught script errors in ``page.errors``."""

    def make(width: int = 1024, height: int = 800):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(30_000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    return make


@pytest.fixture
def sign_up(live_server):
    """Sign up through the form in ``page``; the browser lands logged in on the upload page."""

    def run(page, username: str, password: str = "a-long-secret-42"):
        page.goto(f"{live_server.url}/accounts/signup/")
        page.fill("#id_username", username)
        page.fill("#id_password1", password)
        page.fill("#id_password2", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/upload/")

    return run
