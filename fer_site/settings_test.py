"""Settings for the test suite (pyproject.toml names this module).

Tests run with development defaults (DEBUG is turned off again by pytest-django), a SQLite test
database in a file rather than in memory, and a private broker folder, so that a real Celery worker
started by a test (tests/conftest.py) sees the same database and the same queue. The folder is
created once and exported, so that the worker, which imports this module too, inherits it.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "True")
os.environ.setdefault("FER_TEST_DIR", tempfile.mkdtemp(prefix="fer-test-"))
TEST_DIR = os.environ["FER_TEST_DIR"]
os.environ.setdefault("FER_BROKER_DIR", os.path.join(TEST_DIR, "broker"))
os.environ.setdefault("CELERY_BEAT_SCHEDULE_FILENAME", os.path.join(TEST_DIR, "celerybeat-schedule"))

from fer_site.settings import *  # noqa: E402,F403
from fer_site.settings import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not ":memory:", so that a worker process can open the test database too.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(TEST_DIR, "test-db.sqlite3")}

# Hashing passwords slowly protects nothing in tests and costs seconds per log-in.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# WhiteNoise warns about a missing STATIC_ROOT; tests never run collectstatic.
STATIC_ROOT = os.path.join(TEST_DIR, "static")
os.makedirs(STATIC_ROOT, exist_ok=True)

# The test client's host: a webhook's body and the account export's items then equal the API's answer.
FER_SITE_URL = "http://testserver"
