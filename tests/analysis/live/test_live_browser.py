"""In headless Chromium with a fake camera playing real face pictures, the Live page boxes and labels faces.

The camera is Chromium's fake capture device reading a .y4m file that this test writes from the
astronaut photo; frames go through the page's JavaScript, POST /api/live/ and a real worker.
"""

import re

import pytest

from tests.analysis.live.frames import face_picture, write_y4m
from tests.browser import chromium

pytestmark = pytest.mark.worker


@pytest.fixture
def camera_browser(tmp_path, monkeypatch):
    """Chromium whose camera plays a video of a real face, allowed without asking."""
    face = face_picture(640, 480)
    video = write_y4m(tmp_path / "camera.y4m", [face, face[:, ::-1].copy()])
    camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with chromium(monkeypatch, camera) as browser:
        yield browser


def test_the_live_page_shows_labelled_boxes_over_the_camera_picture(
    camera_browser, live_server, start_celery_worker, settings
):
    worker = start_celery_worker()
    # The first frame may wait for the model to load on a busy test machine.
    settings.FER_LIVE_DEADLINE_MS = 10_000
    page = camera_browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password1", "a-long-secret-42")
    page.fill("#id_password2", "a-long-secret-42")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/upload/")

    page.click("nav >> text=Live")
    page.wait_for_url(f"{live_server.url}/live/")
    assert "Frames are not stored." in page.inner_text("#live-privacy")
    page.click("#live-start")
    # Read the drawing in one go: it is redrawn with every answer, several times a second.
    snapshot = """() => {
        const boxes = document.querySelectorAll("#live-stage .facebox");
        if (boxes.length !== 1) return null;
        const rect = (node) => { const r = node.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
        return {label: boxes[0].querySelector(".facebox__label").textContent, box: rect(boxes[0]),
                video: rect(document.getElementById("live-video"))};
    }"""
    try:
        drawn = page.wait_for_function(snapshot).json_value()
    except Exception as exc:
        raise AssertionError(f"No box: status {page.inner_text('#live-status')!r}\n{worker.output()[-3000:]}") from exc

    assert re.fullmatch(r"1 · (angry|disgust|fear|happy|sad|surprise|neutral) \d{1,3}%", drawn["label"]), drawn
    (vx, _, vw, _), (bx, _, bw, _) = drawn["video"], drawn["box"]
    # The face is in the upper middle of the picture, and the box lies inside it.
    assert vx <= bx and bx + bw <= vx + vw, drawn
    assert vx + vw * 0.25 < bx + bw / 2 < vx + vw * 0.75, drawn
    # Updated several times a second: more frames are answered and the chart gets data.
    page.wait_for_function("document.getElementById('live-status').textContent.includes('frames/s')")
    page.wait_for_timeout(1500)
    assert len(page.evaluate("Facet.liveRecording().seconds")) >= 1
    # The chart's labels are shown at 11 CSS px or more, at desktop and phone widths alike.
    assert float(page.get_attribute("#live-chart", "data-label-px")) >= 11
    page.set_viewport_size({"width": 390, "height": 900})
    page.wait_for_timeout(1500)  # redrawn with the next answers
    assert float(page.get_attribute("#live-chart", "data-label-px")) >= 11
    page.set_viewport_size({"width": 1200, "height": 900})

    # "Save recording" keeps the per-second summary; its page shows it as a timeline.
    page.click("#live-save")
    page.click("#live-saved-link")
    # attached, not visible: a recording of one second draws each line as a single point.
    page.wait_for_selector("#timeline[data-tracks='1'] .timeline__line.emo-neutral", state="attached")
    assert page.locator("#timeline .timeline__line").count() == 7
    assert errors == []
