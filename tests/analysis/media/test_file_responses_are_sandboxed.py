"""Every stored file answered by /files/ (whole, ranged or refused range) carries
Content-Security-Policy: sandbox beside nosniff and X-Frame-Options: DENY."""

import pytest

from tests.analysis.clips import analysed_clip, api_client
from tests.analysis.helpers import finished_photo

pytestmark = pytest.mark.django_db


def assert_sandboxed(response):
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("which", ["original", "thumbnail"])
def test_a_photos_files_are_sandboxed(alice, which):
    media = finished_photo(alice)

    response = api_client(alice).get(f"/files/{media.pk}/{which}/")

    assert response.status_code == 200
    assert_sandboxed(response)


@pytest.mark.parametrize("range_header", [None, "bytes=0-99", "bytes=999999999-"])
def test_a_clips_file_is_sandboxed_whole_ranged_or_refused(alice, tmp_path, range_header):
    media = analysed_clip(alice, tmp_path, seconds=1, blank_seconds=0)
    headers = {"HTTP_RANGE": range_header} if range_header else {}

    response = api_client(alice).get(f"/files/{media.pk}/original/", **headers)

    assert response.status_code in (200, 206, 416)
    assert_sandboxed(response)
