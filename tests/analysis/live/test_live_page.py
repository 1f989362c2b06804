"""The Live page: behind log-in, linked from the navigation, and it says frames are not stored."""


def test_it_asks_anonymous_visitors_to_log_in(client, db):
    response = client.get("/live/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_is_linked_from_the_navigation_and_says_frames_are_not_stored(client, alice):
    client.force_login(alice)

    page = client.get("/live/").content.decode()
    dashboard = client.get("/dashboard/").content.decode()

    assert 'href="/live/"' in dashboard
    assert "Frames are not stored." in page
    assert 'data-api="/api/live/"' in page
    assert 'data-max-side="640"' in page
