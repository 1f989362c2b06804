"""The account export: one ZIP of everything a user has (worker only)."""

import csv
import io
import re
import shutil
import unicodedata
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

items.csv        one row per item: id, file name (as uploaded), kind, created, status, its media file
items/<id>.json  each item (photo, clip, live recording): status, summary, faces, tracks
items/<id>.csv   each clip's and recording's detections: one row per analysed frame and face
collections/<id>.json  each collection: name, description, its items' ids and its summary
media/<id>-<name>.<ext>  the stored originals, when you asked for them and they were kept
"""

INDEX_HEADER = ["id", "file_name", "kind", "created_at", "status", "media"]
# Of a file name in media/, at most this many characters of its stem (the item's id comes first).
MEDIA_STEM_CHARS = 80


def make_export(export_id) -> None:
    """Build one user's export ZIP and store it for EXPORT_VALID (worker only)."""
    # _write_zip returns False when the export was deleted meanwhile (with its owner), or taken over.
    run_copy_job(DataExport.objects.all(), export_id, _write_zip, name="export", suffix=".zip", item="account")


def _write_zip(export: DataExport, path: str) -> bool:
    """Write the ZIP at ``path``; False when the export stopped being this worker's part-way."""
    items = list(Media.objects.filter(user_id=export.user_id).order_by("created_at").values_list("pk", flat=True))
    index: list[list[str]] = []
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
            name = media_name(media) if export.include_media and media.file else ""
            if name and not _add_file(archive, media, name):
                name = ""  # its file went meanwhile
            index.append(_index_row(media, name))
            if not export.report_progress((done + 1) / max(1, len(items))):
                return False
        archive.writestr("items.csv", _index_csv(index))
    return True


def media_name(media: Media) -> str:
    """Where an item's original goes in the ZIP: ``media/<id>-<its file name, made safe>.<ext>``."""
    # The client's name is only a hint for a person: never a path (no separators, no "..", no control
    # or shell-awkward characters), and the extension is the stored file's, which the server chose.
    stem = unicodedata.normalize("NFC", PurePosixPath(media.original_name.replace("\\", "/")).stem)
    stem = re.sub(r"[^\w\-]+", "_", stem).strip("_-")[:MEDIA_STEM_CHARS].strip("_-")
    suffix = re.sub(r"[^a-z0-9]", "", PurePosixPath(media.file.name).suffix.lower())
    name = f"{media.pk}-{stem}" if stem else str(media.pk)
    return f"media/{name}.{suffix}" if suffix else f"media/{name}"


def _index_row(media: Media, media_path: str) -> list[str]:
    return [str(media.pk), media.original_name, media.kind, media.created_at.isoformat(), media.status, media_path]


def _index_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(INDEX_HEADER)
    # A file name is the client's text: one that starts like a formula is kept from running as one
    # when the index is opened in a spreadsheet (a leading apostrophe, as OWASP advises).
    writer.writerows([_no_formula(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _no_formula(cell: str) -> str:
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _collection_data(collection: Collection) -> dict:
    return {
        "id": str(collection.pk),
        "name": collection.name,
        "description": collection.description,
        "created_at": collection.created_at,
        "items": [str(pk) for pk in Media.objects.filter(collection=collection).values_list("pk", flat=True)],
        "summary": summarize(collection),
    }


def _add_file(archive: zipfile.ZipFile, media: Media, name: str) -> bool:
    try:
        source = media.file.storage.open(media.file.name, "rb")
    except FileNotFoundError:  # deleted meanwhile (its item, or retention)
        return False
    # Stored as they are: photos and clips are compressed already.
    with source, archive.open(zipfile.ZipInfo(name), "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, storage.COPY_CHUNK_BYTES)
    return True
