"""An API upload with two `file` parts is refused with 400 rather than silently analysing one of them."""

from analysis.models import Media
from tests.analysis.helpers import assert_no_orphan_files
from tests.photos import astronaut, encode, upload


def test_two_file_parts_are_refused_with_a_clear_message_and_nothing_stored(alice, alice_api):
    first, second = upload(encode(astronaut()), "a.jpg"), upload(encode(astronaut()[:256]), "b.jpg")

    response = alice_api.post("/api/media/", {"file": [first, second]}, format="multipart")

    assert response.status_code == 400, response.content
    assert response.json() == {
        "file": ["Send one file per request; this one has 2 parts named file. Nothing was stored."]
    }
    assert not Media.objects.exists()
    assert_no_orphan_files(alice)


def test_one_file_part_is_still_accepted(alice_api):

    response = alice_api.post("/api/media/", {"file": upload(encode(astronaut()))}, format="multipart")

    assert response.status_code == 202, response.content
