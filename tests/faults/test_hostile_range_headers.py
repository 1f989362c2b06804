"""Hostile Range headers over real HTTP, on the file URL of a clip uploaded through the API: never a 5xx,
every ranged answer within the file, and no stored file left open in the server."""

import http.client
import os
import time
from pathlib import Path

import pytest

from analysis.jobs import dispatch
from tests.analysis.clips import api_client
from tests.analysis.media.test_file_ranges import hostile_headers
from tests.videos import clip_file, clip_upload

pytestmark = pytest.mark.faults


def open_stored_files(media_root: Path) -> list[str]:
    """The files under ``media_root`` this process (and so the live server's threads) holds open."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(media_root)):
            found.append(target)
    return found


def get(live_server, path: str, cookie: str, range_header: str):
    """One GET over a fresh connection; (status, headers, body), or None if http.client refuses the header."""
    connection = http.client.HTTPConnection(live_server.thread.host, live_server.thread.port, timeout=30)
    try:
        connection.putrequest("GET", path)
        try:
            # As raw bytes: a non-ASCII header goes out as UTF-8, as a hostile client may send it.
            connection.putheader("Range", range_header.encode())
        except ValueError:  # a header http.client will not send (a bare CR or LF)
            return None
        connection.putheader("Cookie", cookie)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_hostile_range_headers_on_an_uploaded_clip_never_answer_5xx_nor_leak_a_file(
    alice, live_server, media_root, tmp_path, monkeypatch
):
    monkeypatch.setattr(dispatch.app, "send_task", lambda name, args=None, **options: None)
    client = api_client(alice)
    response = client.post("/api/media/", {"file": clip_upload(clip_file(tmp_path, seconds=1))}, format="multipart")
    assert response.status_code == 202, response.content[:500]
    path = f"/files/{response.json()['id']}/original/"
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    whole = get(live_server, path, cookie, "bytes=0-")
    assert whole[0] == 206
    size = len(whole[2])

    answered = 0
    for header in hostile_headers(300, seed=1313):
        result = get(live_server, path, cookie, header)
        if result is None:
            continue
        status, headers, body = result
        answered += 1
        assert status in (200, 206, 416), (header[:80], status, body[:300])
        if status == 206:
            start, end = map(int, headers["Content-Range"].removeprefix("bytes ").split("/")[0].split("-"))
            assert 0 <= start <= end < size and len(body) == end - start + 1 == int(headers["Content-Length"])
            assert body == whole[2][start : end + 1]
        elif status == 200:
            assert len(body) == size
    assert answered > 280

    # The server's threads close each response after sending it; give a slow machine a moment.
    deadline = time.monotonic() + 10
    while open_stored_files(media_root) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_stored_files(media_root) == []
