"""Fixtures for the collection tests: an API client per user and a collection of alice's."""

import pytest
from rest_framework.test import APIClient

from analysis.collections.services import create_collection


@pytest.fixture
def api():
    def client(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client


@pytest.fixture
def study(alice):
    return create_collection(alice, "Study", "Thirty faces, labelled")
