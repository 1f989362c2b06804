"""A 429 from POST /live/save/ reads the request's body first: answered unread, a server must close the
connection, and a keep-alive client's next request on it failed with RemoteDisconnected (issue 25;
gunicorn, whereas Django's development server drains the body itself, so the check is on the stream)."""

import io
import json

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory

from analysis.live import views

pytestmark = pytest.mark.django_db

# About 1 MB of JSON, as a long recording is.
SECONDS = [{"t": t, "faces": 1, "frames": 9, "probabilities": None} for t in range(3600)] * 4


def save(user, body: bytes) -> tuple[int, io.BytesIO]:
    stream = io.BytesIO(body)
    environ = RequestFactory()._base_environ(
        PATH_INFO="/live/save/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    request = WSGIRequest(environ)
    request.user = user
    return views.save_recording(request).status_code, stream


def test_a_refused_save_has_read_the_whole_body(alice, settings):
    settings.FER_RECORDING_RATE = "1/hour"
    body = json.dumps({"seconds": SECONDS}).encode()
    assert len(body) > 500_000
    save(alice, json.dumps({"seconds": SECONDS[:2]}).encode())

    status, stream = save(alice, body)

    assert status == 429
    assert stream.tell() == len(body)
