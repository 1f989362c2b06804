"""Fixtures for live mode: a frame of a real face (alice_api, the client, is in tests/conftest.py)."""

import pytest

from tests.analysis.live.frames import face_frame


@pytest.fixture
def face_jpeg() -> bytes:
    """A 320 x 240 JPEG frame with one real face."""
    return face_frame()
