"""A saved live recording is drawn by the same timeline chart as a clip (static/js/facet.js), and the
recording is saved with the shared POST (Facet.post, with the CSRF token)."""

import re

import ml
from analysis.media.timeline import recording_timeline
from analysis.models import Media


def _points(d: str) -> list[tuple[str, float, float]]:
    return [(c, float(x), float(y)) for c, x, y in re.findall(r"([ML])(-?[\d.]+),(-?[\d.]+)", d)]


def test_a_live_recording_is_drawn_with_the_clips_chart(new_page, sign_up, live_server):
    page = new_page()
    sign_up(page, "recorder")
    seconds = []
    for t, top in enumerate(["happy", "happy", None, "sad", "sad", "neutral"]):
        probabilities = {name: (0.64 if name == top else 0.06) for name in ml.EMOTIONS} if top else None
        seconds.append({"t": t, "frames": 4, "faces": 1 if top else 0, "probabilities": probabilities})

    reply = page.evaluate(
        """async (seconds) => {
            const response = await Facet.post("/live/save/", {seconds});
            return {status: response.status, body: await response.json()};
        }""",
        seconds,
    )
    assert reply["status"] == 201, reply
    page.goto(live_server.url + reply["body"]["url"])
    # The script's drawing names the person; the server's (kept for pages without script) does not.
    page.wait_for_selector("#timeline svg[aria-label*='person 1']", state="attached")

    drawn = page.eval_on_selector_all(
        "#timeline .timeline__line", "paths => paths.map((p) => [p.getAttribute('class'), p.getAttribute('d')])"
    )
    served = recording_timeline(Media.objects.get(pk=reply["body"]["id"]))["lines"]
    assert [cls for cls, _ in drawn] == [f"timeline__line emo-{line['emotion']}" for line in served]
    for (_, d), line in zip(drawn, served):
        mine, theirs = _points(d), _points(line["d"])
        assert [c for c, _, _ in mine] == [c for c, _, _ in theirs] == ["M", "L", "M", "L", "L"]
        assert all(abs(a - b) <= 0.11 for p, q in zip(mine, theirs) for a, b in zip(p[1:], q[1:])), (d, line["d"])
    assert page.errors == []
