"""The collection pages: the list (name, items, status, last change), and a collection's page with its tiles,
the gallery's filters, and the summary the API answers: distribution, heat map with counts linked to their
items, recall per class."""

import re

import pytest
from django.test import Client

from analysis.models import Collection, Media
from tests.analysis.helpers import add_photo_faces, probabilities


@pytest.fixture
def page(alice):
    client = Client()
    client.force_login(alice)
    return client


def labelled_photo(user, collection, expected, predicted, name):
    media = Media.objects.create(user=user, collection=collection, file=f"{name}", original_name=name, status="done",
                                 face_count=1, dominant_emotion=predicted, expected_emotion=expected)  # fmt: skip
    add_photo_faces(media, ((10, 10, 50, 50), probabilities(predicted, 0.8)))
    return media


def test_the_list_shows_each_collection_with_its_count_and_status(alice, study, page):
    Media.objects.create(user=alice, collection=study, file="a.jpg", status="queued")
    Collection.objects.create(user=alice, name="Empty one")

    body = page.get("/collections/").content.decode()

    assert "Study" in body and "Empty one" in body
    assert "1 in progress" in body and "empty" in body


def test_the_page_shows_the_heat_map_with_the_summarys_counts_and_links_to_each_cell(alice, study, page, api):
    labelled_photo(alice, study, "happy", "happy", "a.jpg")
    labelled_photo(alice, study, "happy", "happy", "b.jpg")
    odd = labelled_photo(alice, study, "sad", "happy", "c.jpg")

    body = page.get(f"/collections/{study.pk}/").content.decode()
    summary = api(alice).get(f"/api/collections/{study.pk}/summary/").json()

    counts = {
        (e, p): int(n)
        for e, p, n in re.findall(r'data-expected="(\w+)" data-predicted="(\w+)" data-count="(\d+)"', body)
    }
    assert len(counts) == 49
    emotions = summary["evaluation"]["labels"]
    assert all(counts[(e, p)] == summary["evaluation"]["confusion"][i][j]
               for i, e in enumerate(emotions) for j, p in enumerate(emotions))  # fmt: skip
    assert counts[("happy", "happy")] == 2 and counts[("sad", "happy")] == 1
    assert f'data-stat="faces">{summary["faces"]}<' in body
    assert "Accuracy <strong>67%</strong>" in body
    cell = page.get(f"/collections/{study.pk}/?expected=sad&predicted=happy").content.decode()
    assert cell.count('class="tile"') == 1 and str(odd.pk) in cell


def test_the_gallerys_filters_apply_to_the_tiles(alice, study, page):
    Media.objects.create(user=alice, collection=study, file="a.jpg", original_name="queued.jpg", status="queued")
    Media.objects.create(user=alice, collection=study, file="b.jpg", original_name="done.jpg", status="done")
    Media.objects.create(user=alice, file="c.jpg", original_name="outside.jpg", status="done")

    body = page.get(f"/collections/{study.pk}/?status=done").content.decode()

    assert "done.jpg" in body and "queued.jpg" not in body and "outside.jpg" not in body


def test_the_page_renames_and_deletes_keeping_items(alice, study, page):
    item = Media.objects.create(user=alice, collection=study, file="a.jpg")

    page.post(f"/collections/{study.pk}/", {"name": "Renamed", "description": "d"})
    assert Collection.objects.get(pk=study.pk).name == "Renamed"
    response = page.post(f"/collections/{study.pk}/delete/", {})

    assert response.status_code == 302
    assert not Collection.objects.exists() and Media.objects.get(pk=item.pk).collection_id is None
