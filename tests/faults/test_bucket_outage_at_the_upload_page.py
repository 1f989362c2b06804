"""The upload page (the form's POST, without JavaScript) while the bucket is down or hung answers 503 with
Retry-After and shows the form again with a clear message, never the HTML 500 page; nothing is stored,
and the same upload once the bucket is back is accepted."""

import time

import pytest

from analysis.jobs import dispatch
from analysis.media.views import NOT_SAVED, STORAGE_DOWN
from analysis.models import Media
from tests.faults.conftest import STORAGE_DEADLINE_S
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.faults

PHOTO = encode(astronaut())


@pytest.fixture(autouse=True)
def sent_tasks(monkeypatch):
    """No broker: the tasks an upload sends are only counted."""
    sent = []
    monkeypatch.setattr(dispatch.app, "send_task", lambda name, args=None, **options: sent.append(name))
    return sent


@pytest.fixture
def page(alice, client):
    client.force_login(alice)
    return client


def post(client, *names: str):
    return client.post("/upload/", {"file": [upload(PHOTO, name) for name in names or ("party.jpg",)]})


def assert_form_again_with_the_message(response, user):
    assert response.status_code == 503, response.content[:500]
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert STORAGE_DOWN in body and 'id="upload-form"' in body and 'name="file"' in body
    assert "Server error" not in body
    assert not Media.objects.filter(user=user).exists()


def test_the_upload_page_while_the_bucket_is_down_shows_the_form_again_with_a_503(alice, page, bucket_process):
    bucket_process.server.kill()

    response = post(page)

    assert_form_again_with_the_message(response, alice)
    assert "party.jpg" in response.content.decode()

    bucket_process.server.start()
    bucket_process.server.new_bucket(bucket_process.name)  # moto forgets its buckets when killed
    retried = post(page)
    assert retried.status_code == 200 and "1 accepted, 0 rejected" in retried.content.decode()
    media = Media.objects.get(user=alice)
    assert bucket_process.keys(f"users/{alice.pk}/") == sorted([media.file.name, media.thumbnail.name])


def test_the_upload_page_while_the_bucket_hangs_answers_by_the_deadline(alice, page, bucket_process):
    bucket_process.server.pause()
    started = time.monotonic()
    try:
        response = post(page)
    finally:
        bucket_process.server.resume()

    assert_form_again_with_the_message(response, alice)
    assert bucket_process.keys() == []
    # The photo's store and its clean-up each end by the deadline.
    assert time.monotonic() - started < 3 * float(STORAGE_DEADLINE_S) + 5


def test_the_rest_of_a_batch_is_not_tried_once_the_bucket_is_down(alice, page, bucket_process):
    bucket_process.server.kill()

    response = post(page, "one.jpg", "two.jpg")

    assert_form_again_with_the_message(response, alice)
    body = response.content.decode()
    assert "one.jpg" in body and "two.jpg" in body and body.count(NOT_SAVED) == 2
