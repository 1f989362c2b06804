"""Headless Chromium (tests/browser.py) and the helpers every browser test shares."""

import pytest

from tests.browser import chromium


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as instance:
        yield instance


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
