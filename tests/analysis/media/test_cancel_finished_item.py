"""Cancelling a finished item is 409 with a `detail` that says why, beside the item as it stands."""

from tests.analysis.helpers import finished_photo


def test_cancelling_a_finished_item_is_409_with_a_detail_and_the_item(alice, alice_api):
    media = finished_photo(alice)

    response = alice_api.post(f"/api/media/{media.pk}/cancel/")

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "The analysis has finished already (done); only a queued or running one can be cancelled."
    assert body["id"] == str(media.pk) and body["status"] == "done"
    media.refresh_from_db()
    assert media.status == "done"


def test_another_users_item_cannot_be_cancelled_and_is_404(alice, bob_api):
    media = finished_photo(alice)

    assert bob_api.post(f"/api/media/{media.pk}/cancel/").status_code == 404
