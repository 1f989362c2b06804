"""An unknown gallery filter answers its error and lists nothing (400), as the API does, instead of
everything under a filter that was not applied; kind=clip is the pages' word for the API's video."""

from analysis.models import Media


def test_an_unknown_filter_value_shows_its_error_and_no_items(client, alice):
    Media.objects.create(user=alice, original_name="kept.jpg", status="done")
    client.force_login(alice)

    response = client.get("/gallery/?kind=gif")

    assert response.status_code == 400
    assert "gif is not one of the available choices" in response.content.decode()
    assert response.context["page"].paginator.count == 0


def test_kind_clip_lists_the_clips(client, alice, bob):
    clip = Media.objects.create(user=alice, kind="video", original_name="walk.mp4", status="done")
    Media.objects.create(user=alice, original_name="photo.jpg", status="done")
    Media.objects.create(user=bob, kind="video", original_name="bobs.mp4", status="done")
    client.force_login(alice)

    response = client.get("/gallery/?kind=clip")

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [clip]
