"""In headless Chromium: a clip's timeline has a 0-100% axis and a time axis in m:ss whose text keeps
its size at every width; a long clip is drawn smoothed, with the raw lines a click away."""

import pytest
from django.contrib.auth import get_user_model

from analysis.models import Detection, Media
from tests.analysis.helpers import probabilities


def _long_clip(user, seconds=150):
    clip = Media.objects.create(
        user=user, kind="video", original_name="long.mp4", file=f"users/{user.pk}/l.mp4", width=320, height=240,
        status="done", duration_ms=seconds * 1000, people=1, face_count=1, dominant_emotion="happy",
        tracks=[{"track": 1, "first_timestamp_ms": 0, "last_timestamp_ms": seconds * 1000 - 500,
                 "dominant_emotion": "happy", "shares": {"happy": 1.0}}],
    )  # fmt: skip
    Detection.objects.bulk_create(
        Detection(media=clip, frame=i, timestamp_ms=500 * i, track=1, box=[10, 10, 50, 50],
                  probabilities=probabilities("happy" if i % 2 else "sad", 0.8), emotion="happy")
        for i in range(seconds * 2)
    )  # fmt: skip
    return clip


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_clips_timeline_has_axes_and_a_smoothed_view(live_server, new_page, sign_up, width):
    page = new_page(width, 900)
    sign_up(page, f"viewer{width}")
    clip = _long_clip(get_user_model().objects.get(username=f"viewer{width}"))
    page.goto(f"{live_server.url}/media/{clip.pk}/")
    page.wait_for_selector("#timeline[data-tracks='1']")

    ticks = page.locator("#timeline .timeline__xaxis span").all_inner_texts()
    assert ticks[0] == "0:00" and "1:00" in ticks and "2:00" in ticks, ticks
    assert page.locator("#timeline .timeline__yaxis").inner_text().split() == ["100%", "50%", "0%"]
    size = page.eval_on_selector("#timeline .timeline__xaxis span", "n => getComputedStyle(n).fontSize")
    assert float(size.removesuffix("px")) >= 11
    # Smoothed by default: the alternating sad/happy rows average out to a flat line.
    assert page.get_attribute("#timeline", "data-view") == "smoothed"
    smooth = page.get_attribute("#timeline .timeline__line.emo-happy", "d")
    page.click("#timeline .timeline__toggle")
    assert page.get_attribute("#timeline", "data-view") == "raw"
    raw = page.get_attribute("#timeline .timeline__line.emo-happy", "d")
    assert raw != smooth and len(raw.split("L")) == len(smooth.split("L"))
    assert page.errors == []
