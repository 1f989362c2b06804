"""A worker's temporary files live in a private folder of its process; a killed worker's is swept."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from analysis.jobs import scratch, storage
from tests.celery_worker import REPO_ROOT


@pytest.fixture
def temporary_folder(settings, tmp_path, monkeypatch):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    os.mkdir(settings.FILE_UPLOAD_TEMP_DIR)
    monkeypatch.setattr(scratch, "_enabled", False)
    monkeypatch.setattr(scratch, "_owned", {})
    yield tmp_path / "tmp"
    scratch.release()


def holder(folder, *, then: str) -> subprocess.Popen:
    """A process that takes a private folder under ``folder``, prints it, then runs ``then``."""
    code = textwrap.dedent(f"""
        import django, os, sys
        os.environ["DJANGO_SETTINGS_MODULE"] = "fer_site.settings_test"
        django.setup()
        from django.conf import settings
        settings.FILE_UPLOAD_TEMP_DIR = {str(folder)!r}
        from analysis.jobs import scratch
        from analysis.jobs import storage
        scratch.enable()
        with storage.scratch_file(".mp4") as path:
            print(path, flush=True)
            {then}
    """)
    return subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)


def test_a_worker_keeps_its_temporary_files_in_a_folder_of_its_own(temporary_folder):
    scratch.enable()

    with storage.scratch_file(".mp4") as path:
        folder = scratch.private_folder()
        assert os.path.dirname(path) == str(folder)
        assert folder.parent == temporary_folder and folder.name.startswith(scratch.PREFIX)

    assert os.listdir(folder) == [scratch.LOCK_NAME]
    scratch.release()
    assert list(temporary_folder.iterdir()) == []


def test_outside_a_worker_temporary_files_go_to_the_upload_temporary_folder(temporary_folder):
    with storage.scratch_file(".mp4") as path:
        assert os.path.dirname(path) == str(temporary_folder)
    assert list(temporary_folder.iterdir()) == []


def test_the_folder_of_a_killed_worker_is_removed_at_the_next_start(temporary_folder):
    killed = holder(temporary_folder, then="import time; time.sleep(60)")
    left_behind = killed.stdout.readline().strip()
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    assert os.path.exists(left_behind)

    assert scratch.sweep_stale() == 1

    assert not os.path.exists(os.path.dirname(left_behind))


def test_the_folder_of_a_running_worker_is_left_alone(temporary_folder):
    running = holder(temporary_folder, then="import time; time.sleep(60)")
    try:
        in_use = running.stdout.readline().strip()

        assert scratch.sweep_stale() == 0

        assert os.path.exists(in_use)
    finally:
        running.kill()
        running.wait()
