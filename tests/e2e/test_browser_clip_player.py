"""In headless Chromium: a clip's page plays the H.264 copy with boxes over it, and a click on a
person's timeline chart seeks the video there. The clip is analysed in the test process (no worker)."""

import pytest
from django.contrib.auth import get_user_model

from analysis.media.analyses import analyze_media
from analysis.media.services import create_media
from tests.videos import clip_file, clip_upload


@pytest.fixture
def analysed_clip(live_server, tmp_path):
    user = get_user_model().objects.get(username="viewer")
    media = create_media(user, clip_upload(clip_file(tmp_path, crossing=True, seconds=2, blank_seconds=1)))
    analyze_media(media.pk)
    media.refresh_from_db()
    assert media.status == "done", media.error
    return media


def test_the_clip_plays_with_boxes_and_the_timeline_seeks(new_page, sign_up, live_server, request):
    page = new_page(width=1280, height=900)
    sign_up(page, "viewer")
    media = request.getfixturevalue("analysed_clip")

    page.goto(f"{live_server.url}/media/{media.pk}/")
    page.wait_for_selector("#timeline[data-tracks='2']")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    # Two people at the start: two boxes over the video, labelled with their track.
    page.wait_for_selector("#stage[data-drawn='2']")
    labels = sorted(page.locator("#stage .facebox__label").all_inner_texts())
    assert [label.split(" · ")[0] for label in labels] == ["1", "2"]

    chart = page.locator(".timeline__chart").first
    box = chart.bounding_box()
    chart.click(position={"x": box["width"] * 0.9, "y": box["height"] / 2})

    seconds = page.evaluate("document.getElementById('player').currentTime")
    assert seconds == pytest.approx(0.9 * 3.0, abs=0.2)
    # 2.7 s is in the last second, which has no face: no box.
    page.wait_for_selector("#stage[data-drawn='0']")
    assert page.locator("a[href$='export.csv/']").count() == 1
    assert page.errors == []
