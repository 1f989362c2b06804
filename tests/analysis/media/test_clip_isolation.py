"""Another user's clip, its rows, exports, copies and controls are all 404."""

import pytest

from tests.analysis.clips import analysed_clip, api_client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/media/{pk}/"),
        ("get", "/api/media/{pk}/detections/"),
        ("get", "/api/media/{pk}/export.csv/"),
        ("get", "/api/media/{pk}/export.json/"),
        ("get", "/api/media/{pk}/annotated/"),
        ("post", "/api/media/{pk}/annotated/"),
        ("post", "/api/media/{pk}/cancel/"),
        ("get", "/files/{pk}/playable/"),
        ("get", "/files/{pk}/annotated/"),
        ("get", "/files/{pk}/original/"),
        ("get", "/files/{pk}/thumbnail/"),
    ],
)
def test_it_hides_another_users_clip(alice, bob, tmp_path, method, path):
    media = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)

    response = getattr(api_client(bob), method)(path.format(pk=media.pk))

    assert response.status_code == 404
    media.refresh_from_db()
    assert media.status == "done" and media.annotated_status == ""


def test_it_hides_another_users_clip_pages(alice, bob, tmp_path, client):
    media = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)
    client.force_login(bob)

    assert client.get(f"/media/{media.pk}/").status_code == 404
