"""Saving a retention choice says what it means, never its internal code (days:7)."""


def test_the_message_reads_as_words(client, alice):
    client.force_login(alice)

    response = client.post("/accounts/privacy/keep-media/", {"keep": "days", "days": "7"}, follow=True)

    page = response.content.decode()
    assert "Retention saved: media deleted 7 days after upload." in page
    assert "days:7" not in page.split('id="keep-media-now"')[0]
