"""Headless Chromium through Playwright, for every browser test.

Playwright drives the system Chromium (never `playwright install`, which downloads a browser). A
missing browser or Playwright skips the test, or fails it under REQUIRE_SERVICES=1 (as in CI).
"""

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

from tests.services import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def chromium(monkeypatch, extra_args: Sequence[str] = ()) -> Iterator:
    """A launched headless Chromium, closed afterwards together with the test's database connection."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        require_service("Playwright", False, str(exc))
    require_service("Chromium", Path(CHROMIUM).is_file(), f"no browser at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django would refuse the test's own ORM
    # calls (reading rows to check the result) as "async unsafe" without this.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
            # Under Playwright's sync API the test runs in a context of its own (Django's connections
            # are context-local), so the connection its queries opened is not the one Django's
            # teardown closes, and PostgreSQL would then refuse to drop the test database ("accessed
            # by other users"). Close it here, in the test's context.
            connections.close_all()
