"""The upload rate counts uploads only: asking for an annotated copy or cancelling (POSTs on the same
API) neither spends the budget nor is refused by it."""

import pytest

from analysis.models import Media
from tests.analysis.clips import api_client
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.django_db


def post_photo(client):
    return client.post("/api/media/", {"file": upload(encode(astronaut()[:64, :64]))}, format="multipart")


def test_cancel_and_annotated_requests_do_not_spend_the_upload_budget(alice, settings, sent_tasks):
    settings.FER_UPLOAD_RATE = "2/min"
    client = api_client(alice)
    first = post_photo(client)
    assert first.status_code == 202
    pk = first.json()["id"]
    Media.objects.filter(pk=pk).update(status=Media.Status.DONE)

    others = [client.post(f"/api/media/{pk}/{name}/").status_code for name in ("cancel", "annotated") * 3]

    assert 429 not in others
    assert post_photo(client).status_code == 202
    assert post_photo(client).status_code == 429


def test_cancel_is_answered_once_the_upload_budget_is_spent(alice, settings, sent_tasks):
    settings.FER_UPLOAD_RATE = "1/min"
    client = api_client(alice)
    pk = post_photo(client).json()["id"]
    assert post_photo(client).status_code == 429

    assert client.post(f"/api/media/{pk}/cancel/").status_code == 202
