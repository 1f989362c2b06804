"""In headless Chromium: an item uploaded elsewhere (here straight into the database, as the API would
leave it) appears in an open gallery without a reload, with its kind marker, and keeps updating."""

from django.contrib.auth import get_user_model

from analysis.models import Media


def test_an_item_uploaded_elsewhere_appears_in_the_open_gallery(live_server, new_page, sign_up):
    page = new_page(390, 800)  # a phone's width
    sign_up(page, "gallerist")
    page.goto(f"{live_server.url}/gallery/")
    assert page.locator("#tiles .tile").count() == 0
    user = get_user_model().objects.get(username="gallerist")

    clip = Media.objects.create(
        user=user,
        kind=Media.Kind.VIDEO,
        original_name="from-the-api.mp4",
        file=f"users/{user.pk}/x.mp4",
        status=Media.Status.PROCESSING,
        progress=0.4,
        duration_ms=12_000,
    )

    tile = page.locator(f'#tiles .tile[data-id="{clip.pk}"]')
    tile.wait_for(timeout=30_000)
    assert "from-the-api.mp4" in tile.inner_text() and "clip" in tile.inner_text()
    assert page.locator("#gallery-empty").count() == 0

    # The new tile is watched like the others: its badge follows the item to the end.
    Media.objects.filter(pk=clip.pk).update(status=Media.Status.DONE, progress=1.0, face_count=2, people=2)
    page.locator(f'#tiles .tile[data-id="{clip.pk}"][data-status="done"]').wait_for(timeout=30_000)
    assert "2 people" in tile.inner_text()
    assert page.errors == []
