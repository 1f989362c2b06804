"""The whole path: an upload, a real worker analyses it and, on the `webhooks` queue, sends a signed
media.done to a real receiver on 127.0.0.1, which answers 500 twice and then 200."""

import json

import pytest

from tests.analysis.webhook_receiver import Answer, Receiver, verify
from tests.photos import astronaut, encode, upload

pytestmark = pytest.mark.worker


def test_a_real_worker_sends_a_signed_media_done_and_retries_it(alice_api, settings, start_celery_worker):
    settings.FER_WEBHOOK_ALLOW_HTTP = settings.FER_WEBHOOK_ALLOW_PRIVATE = True
    worker = start_celery_worker(
        env={"FER_WEBHOOK_ALLOW_HTTP": "True", "FER_WEBHOOK_ALLOW_PRIVATE": "True", "FER_WEBHOOK_RETRY_BASE_S": "0.2"}
    )
    with Receiver([Answer(500), Answer(500), Answer(200)]) as receiver:
        created = alice_api.post("/api/webhooks/", {"url": receiver.url, "events": ["media.done"]}, format="json")
        assert created.status_code == 201, created.content
        secret, endpoint = created.json()["secret"], created.json()["id"]
        uploaded = alice_api.post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")
        assert uploaded.status_code == 202

        try:
            received = receiver.wait_for(3, timeout=120)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nWorker output:\n{worker.output()[-5000:]}") from None

    assert all(verify(secret, request) for request in received)
    assert len({request.headers["webhook-id"] for request in received}) == 1
    body = json.loads(received[-1].body)
    assert body["type"] == "media.done"
    assert body["data"] == alice_api.get(f"/api/media/{uploaded.json()['id']}/").json()
    assert body["data"]["status"] == "done" and body["data"]["summary"]["face_count"] == 1
    attempts = alice_api.get(f"/api/webhooks/{endpoint}/deliveries/").json()["results"]
    assert sorted((a["attempt"], a["status_code"]) for a in attempts) == [(1, 500), (2, 500), (3, 200)]
    assert attempts[0]["succeeded"] and attempts[0]["message_status"] in ("done", "processing")
