"""In headless Chromium: the upload page's script sends each file on its own and reports each verdict.

No worker is needed: this checks the browser side (drag-and-drop/picker -> one API request per file ->
per-file accepted/rejected rows with the server's reason), and that the gallery marks the new item.
"""

import base64
import io

from PIL import Image

from analysis.models import Media


def test_each_file_gets_its_own_verdict_and_a_bad_one_does_not_stop_the_good_ones(
    new_page, sign_up, live_server, tmp_path
):
    good = tmp_path / "beach.png"
    Image.new("RGB", (120, 90), (30, 140, 200)).save(good)
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a photo at all")
    page = new_page()
    sign_up(page, "uploader")

    page.set_input_files("#id_file", [str(good), str(fake)])
    page.wait_for_function("document.querySelectorAll('.filelist__item[data-result]').length === 2")

    items = page.locator(".filelist__item")
    rows = {items.nth(i).locator(".filelist__name").inner_text(): items.nth(i) for i in range(items.count())}
    assert rows["beach.png"].get_attribute("data-result") == "accepted"
    assert rows["notes.jpg"].get_attribute("data-result") == "rejected"
    assert "Rejected: This is not a JPEG, PNG or WebP image." in rows["notes.jpg"].inner_text()
    media = Media.objects.get(user__username="uploader")
    assert media.original_name == "beach.png"
    assert rows["beach.png"].get_by_role("link", name="View result").get_attribute("href") == f"/media/{media.pk}/"

    # The gallery shows the new item as waiting, marked for the polling script.
    page.goto(f"{live_server.url}/gallery/")
    tile = page.locator(f'.tile[data-id="{media.pk}"]')
    assert tile.get_attribute("data-status") == "queued"

    # When the item finishes, gallery.js updates its badges in place, without a reload.
    page.evaluate("window.notReloaded = true")
    Media.objects.filter(pk=media.pk).update(status=Media.Status.DONE, dominant_emotion="happy", face_count=2)
    page.wait_for_selector(f'.tile[data-id="{media.pk}"][data-status="done"]', timeout=30_000)
    assert tile.locator("[data-role=status]").inner_text() == "done"
    assert tile.locator("[data-role=emotion]").inner_text() == "happy"
    assert tile.locator("[data-role=faces]").inner_text() == "2 faces"
    assert page.evaluate("window.notReloaded") is True
    assert page.errors == []


def test_a_photo_dropped_on_the_zone_is_uploaded(new_page, sign_up, tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 60, 60)).save(buffer, "PNG")
    page = new_page()
    sign_up(page, "dropper")

    # What a browser does on a real drag and drop: a drop event whose DataTransfer holds the file.
    page.evaluate(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
            const zone = document.getElementById("dropzone");
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }""",
        base64.b64encode(buffer.getvalue()).decode(),
    )

    row = page.locator(".filelist__item[data-result]")
    row.wait_for()
    assert row.get_attribute("data-result") == "accepted", row.inner_text()
    assert Media.objects.get(user__username="dropper").original_name == "dropped.png"
    assert page.errors == []


def test_files_over_the_upload_limit_wait_and_are_sent_again(new_page, sign_up, tmp_path, monkeypatch):
    from analysis.media.throttles import UploadThrottle

    # One upload per second: the live server runs in this process, so the patched rate applies there.
    monkeypatch.setattr(UploadThrottle, "rate", "1/s", raising=False)
    paths = []
    for i in range(3):
        path = tmp_path / f"batch-{i}.png"
        Image.new("RGB", (40, 40), (i * 80, 90, 90)).save(path)
        paths.append(str(path))
    page = new_page()
    sign_up(page, "batcher")

    page.set_input_files("#id_file", paths)
    page.wait_for_selector("text=Upload limit reached; sending again in")
    page.wait_for_function(
        "document.querySelectorAll('.filelist__item[data-result=accepted]').length === 3", timeout=20_000
    )

    assert Media.objects.filter(user__username="batcher").count() == 3
    assert page.errors == []


def test_each_row_follows_its_item_to_the_end_and_a_rejected_file_shows_no_broken_picture(new_page, sign_up, tmp_path):
    good, other = tmp_path / "one.png", tmp_path / "two.png"
    Image.new("RGB", (120, 90), (30, 140, 200)).save(good)
    Image.new("RGB", (120, 90), (200, 140, 30)).save(other)
    fake = tmp_path / "broken.jpg"
    fake.write_bytes(b"\xff\xd8\xff not really a jpeg")
    page = new_page()
    sign_up(page, "follower")

    page.set_input_files("#id_file", [str(good), str(other), str(fake)])
    page.wait_for_function("document.querySelectorAll('.filelist__item[data-result]').length === 3")
    items = page.locator(".filelist__item")
    rows = {items.nth(i).locator(".filelist__name").inner_text(): items.nth(i) for i in range(items.count())}
    assert rows["broken.jpg"].locator("img.filelist__thumb").is_hidden()
    assert rows["one.png"].locator("[class^=badge]").inner_text() == "queued"

    media = {m.original_name: m for m in Media.objects.filter(user__username="follower")}
    Media.objects.filter(pk=media["one.png"].pk).update(status=Media.Status.DONE, face_count=2, dominant_emotion="sad")
    Media.objects.filter(pk=media["two.png"].pk).update(status=Media.Status.FAILED, error="The photo was on fire.")

    page.wait_for_selector('.filelist__item[data-status="done"]', timeout=30_000)
    page.wait_for_selector('.filelist__item[data-status="failed"]', timeout=30_000)
    assert "Done: 2 faces." in rows["one.png"].inner_text()
    assert rows["one.png"].locator(".badge").inner_text() == "done"
    assert "Failed: The photo was on fire." in rows["two.png"].inner_text()
    assert (
        rows["two.png"].get_by_role("link", name="View result").get_attribute("href")
        == f"/media/{media['two.png'].pk}/"
    )
    assert page.errors == []
