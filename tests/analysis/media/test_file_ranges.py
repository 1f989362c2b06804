"""Byte ranges of a stored clip: valid ranges are served, absurd or hostile ones never answer 500."""

import random

import pytest
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.db.models.fields.files import FieldFile

from analysis.media import files
from analysis.models import Media
from tests.analysis.clips import api_client

SIZE = 1000


@pytest.fixture
def clip(alice):
    """A clip row whose stored file is SIZE known bytes (the views serve files; nothing is decoded)."""
    media = Media(user=alice, kind=Media.Kind.VIDEO, content_type="video/mp4")
    media.file.save("clip.mp4", ContentFile(bytes(range(256)) * 3 + bytes(SIZE - 768)), save=False)
    media.save()
    return media


@pytest.fixture
def opened(monkeypatch):
    """Every stored file the views open, to check that each is closed once the response is."""
    handles = []
    real_open = FieldFile.open

    def open_and_record(self, mode="rb"):
        handle = real_open(self, mode)
        handles.append(handle)
        return handle

    monkeypatch.setattr(FieldFile, "open", open_and_record)
    return handles


def fetch(client, media, range_header):
    """The response and its body; the test client closes a response once its content is read."""
    response = client.get(f"/files/{media.pk}/original/", HTTP_RANGE=range_header)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def close_unread(response):
    """Close a response without reading it, as a server does after a HEAD request."""
    # request_finished would close the test's database connection (the client disconnects it likewise).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_a_valid_range_is_served_as_206(alice, clip, opened):
    response, body = fetch(api_client(alice), clip, "bytes=10-19")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 10-19/{SIZE}"
    assert body == bytes(range(10, 20))
    assert opened and all(handle.closed for handle in opened)


def test_a_suffix_range_is_the_last_bytes(alice, clip):
    response, body = fetch(api_client(alice), clip, "bytes=-5")

    assert response.status_code == 206 and response["Content-Range"] == f"bytes {SIZE - 5}-{SIZE - 1}/{SIZE}"
    assert len(body) == 5


def test_a_range_past_the_end_is_clamped_to_the_end(alice, clip):
    response, body = fetch(api_client(alice), clip, "bytes=990-" + "9" * 5000)

    assert response.status_code == 206 and response["Content-Range"] == f"bytes 990-{SIZE - 1}/{SIZE}"
    assert len(body) == 10


def test_a_start_with_thousands_of_digits_answers_416_and_closes_the_file(alice, clip, opened):
    response, _ = fetch(api_client(alice), clip, "bytes=" + "9" * 4301 + "-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert opened and all(handle.closed for handle in opened)


def test_a_start_past_the_end_answers_416(alice, clip):
    response, _ = fetch(api_client(alice), clip, f"bytes={SIZE}-")

    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{SIZE}"


def test_a_malformed_or_multiple_range_is_ignored_and_the_whole_file_is_served(alice, clip, opened):
    client = api_client(alice)

    for header in ("bytes=5-3", "bytes=0-1,4-5", "items=0-5", "bytes=١-٣", "bytes=0-5\n", "bytes=-"):
        response, body = fetch(client, clip, header)
        assert response.status_code == 200, header
        assert len(body) == SIZE
    assert all(handle.closed for handle in opened)


def test_a_ranged_head_request_closes_the_file(alice, clip, opened):
    response = api_client(alice).head(f"/files/{clip.pk}/original/", HTTP_RANGE="bytes=0-9")
    close_unread(response)

    assert response.status_code == 206
    assert opened and all(handle.closed for handle in opened)


def hostile_headers(count: int, seed: int = 13):
    """Random and hostile Range headers: long numbers, signs, spaces, unicode digits, lists, junk."""
    rng = random.Random(seed)
    pieces = ["", "0", "1", "-", ",", " ", "9" * 4301, "9" * 20, "-1", "+1", "1e3", "0x10", "١٢", "\x00",
              "bytes=", "bytes =", "BYTES=", str(SIZE), str(SIZE - 1), "=", "\t", "ä", "\u2009"]  # fmt: skip
    yield from ("", "bytes=", "bytes=-0", "bytes=0-0", f"bytes=-{'9' * 5000}", "bytes=" + "0" * 5000 + "1-2")
    for _ in range(count):
        yield "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))


def test_the_parser_never_raises_and_answers_a_range_within_the_file():
    for header in hostile_headers(500):
        for size in (0, 1, SIZE):
            answer = files.parse_range(header, size)
            if answer is None or answer is files.UNSATISFIABLE:
                continue
            start, end = answer
            assert 0 <= start <= end < size, (header, size, answer)


def test_hostile_range_headers_never_answer_500_and_close_every_file(alice, clip, opened):
    client = api_client(alice)
    client.raise_request_exception = True

    for header in hostile_headers(200):
        response, body = fetch(client, clip, header)
        assert response.status_code in (200, 206, 416), header
        if response.status_code == 206:
            assert len(body) == int(response["Content-Length"])
    assert all(handle.closed for handle in opened)
