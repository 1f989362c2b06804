"""In headless Chromium: a collection's page shows its confusion-matrix heat map with the counts, a cell
leads to its items, a ZIP dropped on the page becomes items, and axe finds no serious violation."""

import base64
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from analysis.collections.services import create_collection
from analysis.jobs import dispatch
from analysis.models import Media
from tests import zips
from tests.analysis.helpers import add_photo_faces, probabilities
from tests.celery_worker import REPO_ROOT
from tests.services import require_service

pytestmark = pytest.mark.browser
DROP = """(b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], "drop.zip", { type: "application/zip" }));
  const form = document.getElementById("archive-form");
  form.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""
AXE = Path(REPO_ROOT) / "node_modules" / "axe-core" / "axe.min.js"


def labelled(user, collection, expected, predicted, name):
    media = Media.objects.create(
        user=user, collection=collection, file=f"users/{user.pk}/{name}", original_name=name, status="done",
        face_count=1, dominant_emotion=predicted, expected_emotion=expected,
    )  # fmt: skip
    add_photo_faces(media, ((10, 10, 50, 50), probabilities(predicted, 0.8)))


@pytest.mark.parametrize("width", [1280, 390])
def test_the_heat_map_is_visible_with_its_counts_and_the_page_is_accessible(live_server, new_page, sign_up, width):
    require_service("axe-core", AXE.is_file(), f"run `npm ci` for {AXE}")
    page = new_page(width, 900)
    sign_up(page, f"researcher{width}")
    user = get_user_model().objects.get(username=f"researcher{width}")
    study = create_collection(user, "Pilot study", "Three labelled photos")
    labelled(user, study, "happy", "happy", "a.jpg")
    labelled(user, study, "happy", "happy", "b.jpg")
    labelled(user, study, "sad", "neutral", "c.jpg")

    page.goto(f"{live_server.url}/collections/{study.pk}/")

    heat_map = page.locator("#confusion")
    assert heat_map.is_visible()
    cell = heat_map.locator('td[data-expected="happy"][data-predicted="happy"]')
    assert cell.inner_text().strip() == "2"
    assert cell.evaluate("node => getComputedStyle(node).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    serious = [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]
    assert serious == []
    heat_map.locator('td[data-expected="sad"][data-predicted="neutral"] a').click()
    page.wait_for_url("**predicted=neutral**")
    assert page.locator("#tiles .tile").count() == 1
    assert page.errors == []


def test_a_zip_dropped_on_the_page_becomes_items(live_server, new_page, sign_up, monkeypatch):
    monkeypatch.setattr(dispatch.app, "send_task", lambda *args, **kwargs: None)  # no worker here
    page = new_page()
    sign_up(page, "dropper")
    user = get_user_model().objects.get(username="dropper")
    study = create_collection(user, "Drops")
    page.goto(f"{live_server.url}/collections/{study.pk}/")
    data = zips.build({"one.jpg": zips.photo_jpeg(64), "notes.txt": b"x"})

    # A real drop event carrying the file, as a browser sends when a .zip is dragged onto the form.
    page.evaluate(DROP, base64.b64encode(data).decode())

    page.wait_for_selector("#archive-result li")
    assert "1 item queued" in page.inner_text("#archive-result")
    assert "notes.txt" in page.inner_text("#archive-result")
    assert Media.objects.filter(collection=study).count() == 1
    assert page.errors == []
