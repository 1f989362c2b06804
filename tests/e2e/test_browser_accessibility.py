"""axe-core (from the npm package, served locally: `npm ci` puts it in node_modules/) finds no serious
or critical accessibility violation on any page, logged out and logged in, at desktop and phone widths."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from analysis.live.recordings import save_recording
from analysis.models import Detection, Media
from tests.analysis.helpers import add_photo_faces, probabilities
from tests.celery_worker import REPO_ROOT
from tests.services import require_service

AXE = Path(REPO_ROOT) / "node_modules" / "axe-core" / "axe.min.js"
PUBLIC = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/no-such-page/"]
PRIVATE = ["/dashboard/", "/upload/", "/gallery/", "/live/", "/accounts/profile/", "/accounts/logout/"]


def _violations(page, url: str) -> list[str]:
    page.goto(url)
    if os.environ.get("FER_SCREENSHOTS"):  # every page, to look at by eye: FER_SCREENSHOTS=folder
        name = url.split("//", 1)[-1].split("/", 1)[-1].strip("/").replace("/", "_") or "home"
        page.wait_for_timeout(500)
        page.screenshot(
            path=f"{os.environ['FER_SCREENSHOTS']}/{name}-{page.viewport_size['width']}.png", full_page=True
        )
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{url}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def _items(user):
    photo = Media.objects.create(
        user=user, original_name="pair.png", file=f"users/{user.pk}/p.png", width=400, height=300, status="done",
        face_count=2, dominant_emotion="happy",
    )  # fmt: skip
    add_photo_faces(
        photo, ((20, 30, 80, 80), probabilities("happy", 0.9)), ((200, 40, 80, 80), probabilities("sad", 0.4))
    )
    clip = Media.objects.create(
        user=user, kind="video", original_name="walk.mp4", file=f"users/{user.pk}/c.mp4", width=320, height=240,
        status="done", duration_ms=2000, people=1, face_count=1, dominant_emotion="happy",
        tracks=[{"track": 1, "first_timestamp_ms": 0, "last_timestamp_ms": 1800, "dominant_emotion": "happy",
                 "shares": {"happy": 1.0}}],
    )  # fmt: skip
    Detection.objects.bulk_create(
        Detection(media=clip, frame=i, timestamp_ms=200 * i, track=1, box=[10, 10, 50, 50],
                  probabilities=probabilities("happy", 0.8), emotion="happy")
        for i in range(10)
    )  # fmt: skip
    live = save_recording(user, [{"t": t, "faces": 1, "probabilities": probabilities("happy", 0.7)} for t in range(3)])
    return [f"/media/{m.pk}/" for m in (photo, clip, live)]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_page_has_a_serious_or_critical_accessibility_violation(live_server, new_page, sign_up, width):
    require_service("axe-core", AXE.is_file(), f"run `npm ci` for {AXE}")
    page = new_page(width, 900)
    problems = [p for url in PUBLIC for p in _violations(page, live_server.url + url)]
    sign_up(page, f"reader{width}")
    user = get_user_model().objects.get(username=f"reader{width}")
    pages = PRIVATE + _items(user)
    problems += [p for url in pages for p in _violations(page, live_server.url + url)]

    assert problems == [], "\n".join(problems)
