"""In headless Chromium with no camera: the Live page says so in its main area, with what to check."""


def test_the_live_page_explains_a_missing_camera_where_the_picture_would_be(live_server, new_page, sign_up):
    page = new_page(390, 800)
    sign_up(page, "no-camera")
    page.goto(f"{live_server.url}/live/")

    page.click("#live-start")

    problem = page.locator("#live-problem")
    problem.wait_for(state="visible", timeout=15_000)
    text = problem.inner_text()
    assert "Permission" in text and "Another app" in text and "https://" in text
    assert page.locator("#live-problem-title").inner_text() != ""
    # It sits in the camera card, above the stage: the main area, not the status line under it.
    assert problem.bounding_box()["y"] < page.locator("#live-stage").bounding_box()["y"]
    assert page.locator("#live-start").is_enabled()
    assert page.errors == []
