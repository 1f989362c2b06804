"""Saving live recordings is limited per user (FER_RECORDING_RATE) with 429 and Retry-After, as uploads are."""

import json

import ml
from analysis.models import Detection, Media

SECOND = {"t": 0, "frames": 4, "faces": 1, "probabilities": {name: 1 / 7 for name in ml.EMOTIONS}}


def save(client, seconds=(SECOND,)):
    return client.post("/live/save/", json.dumps({"seconds": list(seconds)}), content_type="application/json")


def test_it_answers_429_with_retry_after_past_the_per_user_save_rate(client, alice, bob, settings):
    settings.FER_RECORDING_RATE = "2/min"
    client.force_login(alice)

    codes = [save(client).status_code for _ in range(3)]

    assert codes == [201, 201, 429]
    refused = save(client)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"]
    # Nothing is stored past the limit.
    assert Media.objects.filter(user=alice).count() == 2
    assert Detection.objects.filter(media__user=alice).count() == 2
    # Per user: bob is not slowed down by alice.
    client.force_login(bob)
    assert save(client).status_code == 201


def test_malformed_saves_count_towards_the_rate_too(client, alice, settings):
    settings.FER_RECORDING_RATE = "1/min"
    client.force_login(alice)

    assert client.post("/live/save/", "not json", content_type="application/json").status_code == 400
    assert save(client).status_code == 429


def test_the_default_rate_is_30_saves_an_hour(settings):
    from analysis.live.views import RecordingThrottle

    assert settings.FER_RECORDING_RATE == "30/hour"
    assert RecordingThrottle().parse_rate(RecordingThrottle().get_rate()) == (30, 3600)
