"""The web process never imports TensorFlow or ml.pipeline: only workers load the model."""

import subprocess
import sys

from tests.celery_worker import REPO_ROOT

SCRIPT = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fer_site.settings_test")
import django
django.setup()
from django.urls import resolve
import fer_site.urls, fer_site.wsgi, analysis.admin, analysis.media.api, analysis.media.services, analysis.tasks
import analysis.media.views, analysis.live.frames, analysis.live.views, accounts.urls
for path in ("/api/media/", "/upload/", "/gallery/", "/files/00000000-0000-0000-0000-000000000000/original/",
             "/api/live/", "/live/", "/live/save/"):
    resolve(path)
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras", "cv2", "ai_edge_litert")
                or name == "ml.pipeline")
print(",".join(loaded))
"""


def test_loading_the_site_imports_no_machine_learning_runtime():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
