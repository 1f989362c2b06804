"""Uploads through the API are limited per user (FER_UPLOAD_RATE) with 429."""

from tests.photos import astronaut, encode, upload


def post_photo(client):
    return client.post("/api/media/", {"file": upload(encode(astronaut()[:64, :64]))}, format="multipart")


def test_it_answers_429_past_the_per_user_upload_rate(alice_api, bob_api, settings):
    settings.FER_UPLOAD_RATE = "2/min"

    codes = [post_photo(alice_api).status_code for _ in range(3)]

    assert codes == [202, 202, 429]
    assert "Retry-After" in post_photo(alice_api)
    # Per user: bob is not slowed down by alice, and alice can still read.
    assert post_photo(bob_api).status_code == 202
    assert alice_api.get("/api/media/").status_code == 200
