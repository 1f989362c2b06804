"""Collections are created, renamed, described and deleted (keeping their items unless asked); items move in
and out, and carry the owner's label."""

from django.test import Client

from analysis.models import ActivityEntry, Collection, Media
from tests.photos import upload


def test_a_collection_is_created_renamed_and_described(alice, api):
    created = api(alice).post("/api/collections/", {"name": "Pilot"}, format="json")

    assert created.status_code == 201
    pk = created.json()["id"]
    changed = api(alice).patch(f"/api/collections/{pk}/", {"name": "Main", "description": "30 people"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["description"]) == ("Main", "30 people")
    assert changed.json()["status"] == "empty" and changed.json()["item_count"] == 0


def test_deleting_a_collection_keeps_its_items_unless_asked(alice, api, django_capture_on_commit_callbacks):
    kept, gone = (Collection.objects.create(user=alice, name=n) for n in ("Kept", "Gone"))
    a = Media.objects.create(user=alice, file="a.jpg", collection=kept)
    b = Media.objects.create(user=alice, file="b.jpg", collection=gone)

    assert api(alice).delete(f"/api/collections/{kept.pk}/").status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        assert api(alice).delete(f"/api/collections/{gone.pk}/?delete_items=true").status_code == 204

    assert Media.objects.get(pk=a.pk).collection_id is None
    assert not Media.objects.filter(pk=b.pk).exists()
    assert Collection.objects.count() == 0
    assert ActivityEntry.objects.filter(user=alice, action="collection.deleted").count() == 2


def test_items_move_in_and_out(alice, study, api):
    other = Collection.objects.create(user=alice, name="Other")
    a = Media.objects.create(user=alice, file="a.jpg", collection=other)
    b = Media.objects.create(user=alice, file="b.jpg")

    moved = api(alice).post(f"/api/collections/{study.pk}/items/", {"items": [str(a.pk), str(b.pk)]}, format="json")
    listed = api(alice).get(f"/api/collections/{study.pk}/items/").json()
    out = api(alice).delete(f"/api/collections/{study.pk}/items/", {"items": [str(a.pk)]}, format="json")
    patched = api(alice).patch(f"/api/media/{b.pk}/", {"collection": None}, format="json")

    assert moved.json() == {"moved": 2}
    assert {item["id"] for item in listed["results"]} == {str(a.pk), str(b.pk)}
    assert out.json() == {"moved": 1}
    assert patched.status_code == 200 and patched.json()["collection"] is None
    assert Media.objects.filter(collection=study).count() == 0


def test_an_item_carries_its_label_from_upload_patch_and_page(alice, study, api, sent_tasks, astronaut_jpeg):
    response = api(alice).post(
        "/api/media/", {"file": upload(astronaut_jpeg), "collection": str(study.pk), "expected_emotion": "happy"}
    )
    pk = response.json()["id"]
    item = api(alice).get(f"/api/media/{pk}/").json()
    assert (item["expected_emotion"], item["collection"]) == ("happy", str(study.pk))

    patched = api(alice).patch(f"/api/media/{pk}/", {"expected_emotion": "sad"}, format="json")
    assert patched.json()["expected_emotion"] == "sad"
    assert api(alice).patch(f"/api/media/{pk}/", {"expected_emotion": "joy"}, format="json").status_code == 400

    client = Client()
    client.force_login(alice)
    page = client.post(f"/media/{pk}/label/", {"expected_emotion": "fear", "collection": ""})
    assert page.status_code == 302
    media = Media.objects.get(pk=pk)
    assert (media.expected_emotion, media.collection_id) == ("fear", None)


def test_labels_csv_labels_the_collections_items_by_name(alice, study, api):
    Media.objects.create(user=alice, file="a.jpg", original_name="a.jpg", collection=study)
    Media.objects.create(user=alice, file="b.jpg", original_name="b.jpg", collection=study)

    response = api(alice).put(
        f"/api/collections/{study.pk}/labels/",
        b"file,emotion\nx/a.jpg,surprise\nzzz.jpg,sad\n",
        content_type="text/csv",
    )
    bad = api(alice).put(f"/api/collections/{study.pk}/labels/", b"name,label\n", content_type="text/csv")

    assert response.json() == {"labelled": 1, "unmatched": ["zzz.jpg"]}
    assert Media.objects.get(original_name="a.jpg").expected_emotion == "surprise"
    assert bad.status_code == 400 and "file,emotion" in bad.json()["detail"]
