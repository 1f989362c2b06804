"""The account export: one ZIP of everything a user has (worker only)."""

import shutil
import zipfile
from pathlib import PurePosixPath

from rest_framework.renderers import JSONRenderer

from analysis.collections.models import Collection
from analysis.collections.summary import summarize
from analysis.jobs import storage
from analysis.jobs.runner import run_copy_job
from analysis.media import downloads
from analysis.media.models import Media
from analysis.privacy.models import DataExport
from analysis.webhooks.services import item_data

README = """Your data from Facet, as the API returns it.

items/<id>.json  each item (photo, clip, live recording): status, summary, faces, tracks
items/<id>.csv   each clip's and recording's detections: one row per analysed frame and face
collections/<id>.json  each collection: name, description, its items' ids and its summary
media/<id>.<ext> the stored originals, when you asked for them and they were kept
"""


def make_export(export_id) -> None:
    """Build one user's export ZIP and store it for EXPORT_VALID (worker only)."""
    # _write_zip returns False when the export was deleted meanwhile (with its owner), or taken over.
    run_copy_job(DataExport.objects.all(), export_id, _write_zip, name="export", suffix=".zip", item="account")


def _write_zip(export: DataExport, path: str) -> bool:
    """Write the ZIP at ``path``; False when the export stopped being this worker's part-way."""
    items = list(Media.objects.filter(user_id=export.user_id).order_by("created_at").values_list("pk", flat=True))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for collection in Collection.objects.filter(user_id=export.user_id).order_by("created_at"):
            archive.writestr(f"collections/{collection.pk}.json", JSONRenderer().render(_collection_data(collection)))
        for done, pk in enumerate(items):
            media = Media.objects.filter(pk=pk).first()
            if media is None:  # deleted meanwhile
                continue
            archive.writestr(f"items/{pk}.json", JSONRenderer().render(item_data(pk)))
            if media.kind != Media.Kind.PHOTO:
                with archive.open(f"items/{pk}.csv", "w") as target:
                    for line in downloads.csv_lines(media):
                        target.write(line.encode("utf-8"))
            if export.include_media and media.file:
                _add_file(archive, media, f"media/{pk}{PurePosixPath(media.file.name).suffix}")
            if not export.report_progress((done + 1) / max(1, len(items))):
                return False
    return True


def _collection_data(collection: Collection) -> dict:
    return {
        "id": str(collection.pk),
        "name": collection.name,
        "description": collection.description,
        "created_at": collection.created_at,
        "items": [str(pk) for pk in Media.objects.filter(collection=collection).values_list("pk", flat=True)],
        "summary": summarize(collection),
    }


def _add_file(archive: zipfile.ZipFile, media: Media, name: str) -> None:
    try:
        source = media.file.storage.open(media.file.name, "rb")
    except FileNotFoundError:  # deleted meanwhile (its item, or retention)
        return
    # Stored as they are: photos and clips are compressed already.
    with source, archive.open(zipfile.ZipInfo(name), "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, storage.COPY_CHUNK_BYTES)
