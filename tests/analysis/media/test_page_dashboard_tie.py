"""A tie for the expression shown most often names every tied emotion, not one of them."""

from analysis.models import Media
from tests.analysis.helpers import add_photo_faces, probabilities


def test_a_three_way_tie_names_all_three(client, alice):
    photo = Media.objects.create(user=alice, original_name="three.jpg", status="done", width=400, height=300)
    add_photo_faces(
        photo,
        ((10, 10, 50, 50), probabilities("happy", 0.9)),
        ((100, 10, 50, 50), probabilities("sad", 0.9)),
        ((200, 10, 50, 50), probabilities("neutral", 0.9)),
    )
    client.force_login(alice)

    page = client.get("/dashboard/").content.decode()

    assert "most often <strong>happy</strong>, <strong>sad</strong> and <strong>neutral</strong> (tied)." in page
