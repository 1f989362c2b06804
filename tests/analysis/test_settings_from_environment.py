"""Settings come from the environment; production settings pass `manage.py check --deploy`."""

import os
import secrets
import subprocess
import sys

from tests.celery_worker import REPO_ROOT


def manage(*args, **env):
    variables = ("DJANGO_", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "FER_BROKER_DIR")
    clean = {key: value for key, value in os.environ.items() if not key.startswith(variables)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "fer_site.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="fer.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = manage("check")

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def setting(name, **env):
    result = manage("shell", "-c", f"from django.conf import settings; print(repr(settings.{name}))", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_an_absolute_sqlite_url_puts_the_database_there(tmp_path):
    database = tmp_path / "elsewhere" / "site.sqlite3"
    database.parent.mkdir()

    result = manage("migrate", "--no-input", DJANGO_DEBUG="True", DATABASE_URL=f"sqlite:///{database}")

    assert result.returncode == 0, result.stderr
    assert database.stat().st_size > 0


def test_the_broker_defaults_to_a_shared_folder_and_follows_redis_url(tmp_path):
    folder = tmp_path / "broker"

    assert setting("CELERY_BROKER_URL", DJANGO_DEBUG="True", FER_BROKER_DIR=str(folder)) == "'filesystem://'"
    assert (folder / "queue").is_dir()
    with_redis = setting("CELERY_BROKER_URL", DJANGO_DEBUG="True", REDIS_URL="redis://cache.example:6379/2")
    assert with_redis == "'redis://cache.example:6379/2'"
