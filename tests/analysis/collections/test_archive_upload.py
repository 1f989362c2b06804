"""A ZIP into a collection makes one item per photo or clip, named by the member's base name and analysed as
if uploaded alone; the answer lists the members not taken with the reason; labels.csv labels them."""

from analysis.jobs import dispatch
from analysis.models import ActivityEntry, Collection, Media
from tests import zips
from tests.videos import clip_file


def post(client, collection, data: bytes):
    return client.post(f"/api/collections/{collection.pk}/archive/", {"file": zips.as_upload(data)}, format="multipart")


def test_each_photo_and_clip_becomes_an_item_of_the_collection(
    alice, study, api, sent_tasks, tmp_path, django_capture_on_commit_callbacks
):
    clip = clip_file(tmp_path, "walk.mp4", seconds=0.5, size=(320, 240))
    data = zips.build(
        {
            "day1/smile.jpg": zips.photo_jpeg(64),
            "day1/walk.mp4": clip.read_bytes(),
            "notes.txt": b"not a photo",
            "../../etc/passwd": b"root:x:0:0",
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post(api(alice), study, data)

    assert response.status_code == 202
    body = response.json()
    names = sorted(entry["name"] for entry in body["items"])
    assert names == ["smile.jpg", "walk.mp4"]
    items = Media.objects.filter(collection=study)
    assert sorted(items.values_list("kind", flat=True)) == ["photo", "video"]
    assert {entry["name"]: entry["reason"] for entry in body["rejected"]}.keys() == {"notes.txt", "../../etc/passwd"}
    assert all("not a JPEG" in entry["reason"] for entry in body["rejected"])
    # Each analysed as a single upload is: queued, one analysis task each, through the same dispatch.
    assert [name for name, _, _ in sent_tasks] == [dispatch.ANALYZE_MEDIA] * 2
    assert set(items.values_list("status", flat=True)) == {"queued"}
    assert ActivityEntry.objects.filter(user=alice, action="archive.uploaded").count() == 1


def test_a_member_path_is_only_a_name(alice, study, api, sent_tasks, media_root):
    data = zips.build({"../../../escape.jpg": zips.photo_jpeg(64)})

    response = post(api(alice), study, data)

    assert response.json()["items"][0]["name"] == "escape.jpg"
    media = Media.objects.get()
    assert media.original_name == "escape.jpg"
    # Stored under the owner's folder by the item's id, as every upload.
    assert media.file.name.startswith(f"users/{alice.pk}/") and "escape" not in media.file.name
    assert not (media_root.parent / "escape.jpg").exists()


def test_labels_csv_labels_members_by_path_or_base_name(alice, study, api, sent_tasks):
    data = zips.build(
        {
            "a/one.jpg": zips.photo_jpeg(64),
            "b/two.jpg": zips.photo_jpeg(64, shift=10),
            "three.jpg": zips.photo_jpeg(64, shift=20),
            "labels.csv": b"file,emotion\na/one.jpg,happy\ntwo.jpg,Sad\n",
        }
    )

    post(api(alice), study, data)

    labels = dict(Media.objects.values_list("original_name", "expected_emotion"))
    assert labels == {"one.jpg": "happy", "two.jpg": "sad", "three.jpg": ""}
    one = Media.objects.get(original_name="one.jpg")
    assert api(alice).get(f"/api/media/{one.pk}/").json()["expected_emotion"] == "happy"


def test_each_member_counts_against_the_upload_rate(alice, study, api, sent_tasks, settings):
    settings.FER_UPLOAD_RATE = "3/min"

    first = post(api(alice), study, zips.photos(5, size=32))
    second = post(api(alice), study, zips.photos(2, size=32))

    assert first.status_code == 202
    assert len(first.json()["items"]) == 3
    assert [entry["reason"] for entry in first.json()["rejected"]][0].startswith("Too many uploads")
    assert second.status_code == 429 and "Retry-After" in second
    assert Media.objects.count() == 3


def post_keyed(client, collection, data: bytes, key: str):
    body = {"file": zips.as_upload(data)}
    return client.post(f"/api/collections/{collection.pk}/archive/", body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)


def test_a_repeat_with_the_same_idempotency_key_replays_the_answer_and_makes_no_second_set_of_items(
    alice, study, api, sent_tasks, media_root
):
    data = zips.build({"smile.jpg": zips.photo_jpeg(64), "frown.jpg": zips.photo_jpeg(80)})

    first = post_keyed(api(alice), study, data, "archive-1")
    again = post_keyed(api(alice), study, data, "archive-1")

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Media.objects.filter(collection=study).count() == 2
    assert ActivityEntry.objects.filter(user=alice, action="archive.uploaded").count() == 1


def test_the_same_idempotency_key_for_another_archive_or_another_collection_is_422(
    alice, study, api, sent_tasks, media_root
):
    other = Collection.objects.create(user=alice, name="Other study")
    data = zips.build({"smile.jpg": zips.photo_jpeg(64)})
    assert post_keyed(api(alice), study, data, "archive-2").status_code == 202

    changed = post_keyed(api(alice), study, zips.build({"frown.jpg": zips.photo_jpeg(80)}), "archive-2")
    elsewhere = post_keyed(api(alice), other, data, "archive-2")

    assert (changed.status_code, elsewhere.status_code) == (422, 422)
    assert Media.objects.filter(user=alice).count() == 1
