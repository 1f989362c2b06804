"""Frames are limited per user (FER_LIVE_RATE) with 429, counted apart from other users and uploads."""

from tests.analysis.live.frames import post_frame


def test_it_answers_429_past_the_per_user_frame_rate(alice_api, bob_api, settings):
    settings.FER_LIVE_RATE = "3/min"
    # Refused frames count too: the limit is on requests, checked before the frame is read.
    not_a_frame = b"not an image"

    codes = [post_frame(alice_api, not_a_frame).status_code for _ in range(4)]

    assert codes == [400, 400, 400, 429]
    response = post_frame(alice_api, not_a_frame)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert post_frame(bob_api, not_a_frame).status_code == 400
    # Uploads have their own budget.
    assert alice_api.get("/api/media/").status_code == 200


def test_the_default_rate_is_30_frames_a_second(settings):
    from analysis.live.views import LiveThrottle

    assert settings.FER_LIVE_RATE == "30/s"
    assert LiveThrottle().parse_rate(LiveThrottle().get_rate()) == (30, 1)
