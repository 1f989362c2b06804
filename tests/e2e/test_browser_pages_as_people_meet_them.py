"""In headless Chromium at 1280x900 and 390x844 (issue 24, items 1-5): each radio and checkbox sits beside
its own label, with Export apart from Save retention; an upload row keeps its columns whatever it holds;
a portrait clip's player and poster fit the window, with progress and Cancel in view; a blurred copy and
an export turn ready without a reload; webhooks are added by post/redirect/get, a failing one is marked
with its last error, and the form says how to allow http:// and private addresses.

FER_SCREENSHOTS=folder saves each page as seen, to look at by eye."""

import os

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from analysis.jobs import dispatch
from analysis.media.analyses import analyze_media
from analysis.media.anonymizing import make_anonymized
from analysis.media.services import create_media
from analysis.models import DataExport, Media, WebhookDelivery, WebhookEndpoint, WebhookMessage
from analysis.privacy.account_export import make_export
from tests.analysis.helpers import finished_photo
from tests.videos import clip_upload, moving_faces, write_clip

SIZES = [(1280, 900), (390, 844)]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Tasks are run by the test itself (what a worker would run), never sent."""
    monkeypatch.setattr(dispatch.app, "send_task", lambda *args, **kwargs: None)


def look(page, name: str) -> None:
    folder = os.environ.get("FER_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}-{page.viewport_size['width']}.png", full_page=True)


def signed_up(new_page, sign_up, size, username):
    page = new_page(*size)
    sign_up(page, f"{username}{size[0]}")
    return page, get_user_model().objects.get(username=f"{username}{size[0]}")


CONTROLS_BESIDE_LABELS = """() => Array.from(document.querySelectorAll("main input:is([type=radio], [type=checkbox])"))
  .map((input) => {
    const label = input.labels && input.labels[0];
    const text = label && (label.querySelector("span") || label);
    const line = text.getClientRects()[0];
    const box = input.getBoundingClientRect();
    const middle = (box.top + box.bottom) / 2;
    return {id: input.id, gap: line.left - box.right, onLine: line.top <= middle && middle <= line.bottom};
  })"""


@pytest.mark.parametrize("size", SIZES)
def test_each_radio_and_checkbox_sits_beside_its_label_and_export_is_apart(live_server, new_page, sign_up, size):
    page, _ = signed_up(new_page, sign_up, size, "former")
    page.goto(f"{live_server.url}/accounts/profile/")
    look(page, "profile")

    controls = page.evaluate(CONTROLS_BESIDE_LABELS)

    assert len(controls) >= 3 + 4 + 1  # keep media, the webhook events, include media
    assert [c for c in controls if not (0 <= c["gap"] <= 16 and c["onLine"])] == [], controls
    save = page.get_by_role("button", name="Save retention")
    export = page.get_by_role("button", name="Export everything")
    apart = "([a, b]) => a.closest('section') !== b.closest('section')"
    assert page.evaluate(apart, [save.element_handle(), export.element_handle()])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", SIZES)
def test_an_upload_row_keeps_its_columns_whatever_it_holds(live_server, new_page, sign_up, size, tmp_path):
    good = tmp_path / "wide-group.png"
    Image.new("RGB", (1600, 400), (30, 140, 200)).save(good)
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a photo at all")
    page, _ = signed_up(new_page, sign_up, size, "rower")

    page.set_input_files("#id_file", [str(good), str(fake)])
    page.wait_for_function("document.querySelectorAll('.filelist__item[data-result]').length === 2")
    look(page, "upload-rows")

    rows = page.evaluate("""() => Array.from(document.querySelectorAll('.filelist__item')).map((row) => {
        const name = row.querySelector('.filelist__name'), badge = row.querySelector('.badge');
        const thumb = row.querySelector('.filelist__thumb');
        return {name: name.textContent, textLeft: name.getBoundingClientRect().left,
                nameCut: name.scrollWidth > name.clientWidth, badgeWidth: badge.getBoundingClientRect().width,
                thumbWidth: thumb.getBoundingClientRect().width, height: row.getBoundingClientRect().height};
    })""")
    assert {row["name"] for row in rows} == {"wide-group.png", "notes.jpg"}
    assert rows[0]["textLeft"] == rows[1]["textLeft"], rows  # the same columns, with or without a picture
    for row in rows:
        assert row["thumbWidth"] == 48 and not row["nameCut"], row  # the slot holds, the name shows whole
        assert row["badgeWidth"] < 130, row  # the pill keeps its own width
        assert row["height"] < (100 if size[0] > 700 else 140), row  # never a tall box of one word per line


@pytest.fixture
def portrait_clip(tmp_path):
    def make(user) -> Media:
        path = write_clip(tmp_path / "portrait.mp4", moving_faces(seconds=1, size=(360, 640)))
        media = create_media(user, clip_upload(path))
        analyze_media(media.pk)
        media.refresh_from_db()
        return media

    return make


@pytest.mark.parametrize("size", SIZES)
def test_a_portrait_clips_player_and_poster_fit_the_window_with_cancel_in_view(
    live_server, new_page, sign_up, size, portrait_clip
):
    page, user = signed_up(new_page, sign_up, size, "portrait")
    clip = portrait_clip(user)
    page.goto(f"{live_server.url}/media/{clip.pk}/")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    look(page, "portrait-player")

    player = page.locator("#player").bounding_box()
    assert player["height"] <= size[1] - 64 and player["width"] <= size[0]  # under the sticky top bar
    assert player["height"] > player["width"]  # upright, not letterboxed into a landscape box

    Media.objects.filter(pk=clip.pk).update(status="processing", progress=0.4, playable="")
    page.goto(f"{live_server.url}/media/{clip.pk}/")
    look(page, "portrait-analysing")
    poster = page.locator("#stage img").bounding_box()
    cancel = page.locator("#cancel").bounding_box()
    assert poster["height"] <= size[1] - 64
    assert 0 <= cancel["y"] and cancel["y"] + cancel["height"] <= size[1]  # in view without scrolling


@pytest.mark.parametrize("size", SIZES)
def test_a_blurred_copy_and_an_export_turn_ready_without_a_reload(live_server, new_page, sign_up, size):
    page, user = signed_up(new_page, sign_up, size, "waiter")
    photo = finished_photo(user)
    page.goto(f"{live_server.url}/media/{photo.pk}/")
    page.click("#make-anonymized")
    page.wait_for_selector("#anonymized[data-status=queued]")
    page.evaluate("window.notReloaded = true")

    make_anonymized(photo.pk)  # what the worker runs

    page.wait_for_selector("#anonymized a[download]")
    assert page.evaluate("window.notReloaded") is True
    look(page, "blurred-ready")

    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("button", name="Export everything").click()
    page.wait_for_selector("#export-state[data-status=queued]")
    page.evaluate("window.notReloaded = true")

    make_export(DataExport.objects.get(user=user).pk)

    page.wait_for_selector("#export-download")
    assert page.evaluate("window.notReloaded") is True
    look(page, "export-ready")


@pytest.mark.parametrize("size", SIZES)
def test_webhooks_are_added_once_and_a_failing_one_is_marked(live_server, new_page, sign_up, size, settings):
    settings.FER_WEBHOOK_ALLOW_HTTP = settings.FER_WEBHOOK_ALLOW_PRIVATE = False
    page, user = signed_up(new_page, sign_up, size, "hooker")
    page.goto(f"{live_server.url}/accounts/profile/")
    help_text = page.locator("#webhooks .field__help").first.inner_text()
    assert "FER_WEBHOOK_ALLOW_HTTP=True" in help_text and "FER_WEBHOOK_ALLOW_PRIVATE=True" in help_text

    settings.FER_WEBHOOK_ALLOW_HTTP = settings.FER_WEBHOOK_ALLOW_PRIVATE = True
    page.fill("#id_url", "http://127.0.0.1:9/hook")
    page.get_by_role("button", name="Add webhook").click()
    page.wait_for_selector("#webhook-secret")
    assert page.url == f"{live_server.url}/accounts/profile/#new-webhook"  # a GET: a reload sends nothing
    page.reload()
    assert WebhookEndpoint.objects.filter(user=user).count() == 1
    assert page.locator("#webhook-secret").count() == 0  # shown once

    endpoint = WebhookEndpoint.objects.get(user=user)
    message = WebhookMessage.objects.create(endpoint=endpoint, event="media.done", body="{}", status="processing")
    WebhookDelivery.objects.create(
        message=message, endpoint=endpoint, attempt=1, error="Connection refused.", duration_ms=3
    )
    page.reload()
    look(page, "webhooks")

    entry = page.locator(".webhook").first
    assert "webhook--failing" in entry.get_attribute("class")
    assert "Last attempt failed" in entry.inner_text() and "Connection refused." in entry.inner_text()
    test_button = entry.get_by_role("button", name="Send a test event").bounding_box()
    delete_button = entry.get_by_role("button", name="Delete").bounding_box()
    box = entry.bounding_box()
    assert delete_button["y"] + delete_button["height"] <= box["y"] + box["height"]  # inside its own entry
    assert abs(test_button["y"] - delete_button["y"]) < 4  # side by side, not stacked
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
