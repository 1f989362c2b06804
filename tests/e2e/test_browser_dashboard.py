"""In headless Chromium: the dashboard's charts keep their text size at desktop and phone widths."""

import pytest


@pytest.mark.parametrize("width", [1280, 390])
def test_the_activity_axes_keep_their_text_size_at_every_width(live_server, new_page, sign_up, width):
    page = new_page(width, 900)
    sign_up(page, f"dash{width}")
    page.goto(f"{live_server.url}/dashboard/")

    sizes = page.eval_on_selector_all(
        ".activity__xaxis span, .activity__yaxis span", "nodes => nodes.map(n => getComputedStyle(n).fontSize)"
    )
    assert sizes and set(sizes) == {"12px"}, sizes
    assert page.locator(".activity__day").count() == 30
    assert page.errors == []
