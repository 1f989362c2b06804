"""Collections are in the account export and erased with the account; archive uploads and collection
deletions are in the activity log; an archive's items take the owner's retention."""

import io
import json
import zipfile

from analysis.models import ActivityEntry, ArchiveUpload, Collection, DataExport, Media
from analysis.privacy.account_export import make_export
from analysis.privacy.services import erase_account
from tests import zips


def test_the_account_export_holds_each_collection(alice, study, api, sent_tasks):
    Media.objects.create(user=alice, collection=study, file="a.jpg", status="done", face_count=0)
    api(alice).post("/api/me/export/", {}, format="json")
    make_export(DataExport.objects.get().pk)
    export = DataExport.objects.get()

    with export.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        data = json.loads(archive.read(f"collections/{study.pk}.json"))

    assert data["name"] == "Study" and len(data["items"]) == 1
    assert data["summary"]["items"]["total"] == 1


def test_erasing_the_account_removes_its_collections_and_archive_records(alice, study, api, sent_tasks):
    api(alice).post(
        f"/api/collections/{study.pk}/archive/", {"file": zips.as_upload(zips.photos(1, 32))}, format="multipart"
    )

    removed = erase_account(alice)

    assert removed["analysis.Collection"] == 1 and removed["analysis.ArchiveUpload"] == 1
    assert Collection.objects.count() == ArchiveUpload.objects.count() == Media.objects.count() == 0


def test_archive_uploads_and_collection_deletions_are_logged(alice, study, api, sent_tasks):
    api(alice).post(
        f"/api/collections/{study.pk}/archive/", {"file": zips.as_upload(zips.photos(2, 32))}, format="multipart"
    )
    api(alice).delete(f"/api/collections/{study.pk}/")

    actions = list(ActivityEntry.objects.filter(user=alice).values_list("action", "detail"))

    assert ("archive.uploaded", f"{study.pk} items=2 rejected=0") in actions
    assert ("collection.deleted", f"{study.pk} items_deleted=0") in actions


def test_an_archives_items_follow_the_owners_retention(alice, study, api, sent_tasks):
    api(alice).patch("/api/me/", {"keep_media": "days:7"}, format="json")

    api(alice).post(
        f"/api/collections/{study.pk}/archive/", {"file": zips.as_upload(zips.photos(1, 32))}, format="multipart"
    )

    media = Media.objects.get()
    assert media.keep_media == "days:7" and media.media_expires_at is not None
