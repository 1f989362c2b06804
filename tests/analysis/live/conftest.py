"""Fixtures for live mode: a client logged in as alice, and a frame of a real face."""

import pytest
from rest_framework.test import APIClient

from tests.analysis.live.frames import face_frame


@pytest.fixture
def alice_client(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def face_jpeg() -> bytes:
    """A 320 x 240 JPEG frame with one real face."""
    return face_frame()
