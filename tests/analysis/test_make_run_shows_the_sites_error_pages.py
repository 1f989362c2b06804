"""`make run` serves with DEBUG off (the site's own 404 and 500 pages, as users see them), its static
files collected for WhiteNoise, over plain http on 127.0.0.1 (issue 24, item 6)."""

import shutil
import subprocess

import pytest

from tests.celery_worker import REPO_ROOT


def test_make_run_turns_debug_off_and_collects_the_static_files():
    if shutil.which("make") is None:
        pytest.skip("no make")
    # -n prints the recipe; -o treats the installed virtual environment as up to date.
    recipe = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout

    assert "DJANGO_DEBUG=${DJANGO_DEBUG:-False}" in recipe
    assert "SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-False}" in recipe
    assert "CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-False}" in recipe
    assert recipe.index("collectstatic") < recipe.index("devserver 127.0.0.1:8000")
