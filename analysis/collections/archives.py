"""Reading a ZIP archive uploaded into a collection (web side): the checks made on its directory before
anything is stored, its ``labels.csv``, and each member streamed to a temporary file.

A member's path is data only: it names the item (its base name) and matches labels.csv, and is never
joined to a folder. Members are decompressed one at a time into temporary files on disk, each bounded
by the size its directory entry declares, so neither the archive nor a member sits in memory.
"""

import csv
import io
import stat
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile

import ml
from analysis.media.uploads import size_text

# The base name of the member that labels the others.
LABELS_NAME = "labels.csv"
# labels.csv is a list of names: 1 MB holds tens of thousands of lines.
LABELS_MAX_BYTES = 1024 * 1024
# Below this a member's compression ratio is not judged: a small text or blank image may compress well.
RATIO_FLOOR_BYTES = 1024 * 1024
# Names and leading bytes of archives and compressed files: an archive inside the archive is refused.
NESTED_SUFFIXES = (".zip", ".jar", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".lz", ".lzma")
NESTED_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x28\xb5\x2f\xfd",
)
# A tar file says "ustar" at byte 257 of its first header.
TAR_MAGIC_AT = 257
SNIFF_BYTES = 512
COPY_CHUNK_BYTES = 1024 * 1024


class ArchiveRejected(Exception):
    """An archive refused as a whole, before anything is stored; str(exc) says why, for its sender."""


class LabelsRejected(ValueError):
    """A labels.csv that cannot be read; str(exc) says which line and why."""


@dataclass(frozen=True)
class Member:
    """One photo or clip candidate: its path in the archive and the base name its item gets."""

    info: zipfile.ZipInfo
    path: str
    name: str


@dataclass
class Contents:
    members: list[Member]
    skipped: list[tuple[str, str]]  # (path, reason) of members not taken, known from the directory alone
    labels: dict[str, str]  # labels.csv: path or base name -> emotion


def base_name(path: str) -> str:
    """The last part of a member's path, "/" or "\\" separated; never "", "." or ".." (a file name)."""
    name = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip()
    return name[:255] if name not in ("", ".", "..") else "unnamed"


def _entry_count(uploaded_file) -> int:
    """The number of members the archive's end record declares, read before the directory itself, so a
    directory of millions of entries is refused without being parsed into memory."""
    uploaded_file.seek(0)
    try:
        # The stdlib's own reader of the end record (and ZIP64's); private, so not in its type stubs.
        end = zipfile._EndRecData(uploaded_file)  # type: ignore[attr-defined]
    except (OSError, ValueError):
        end = None
    finally:
        uploaded_file.seek(0)
    if not end:
        raise ArchiveRejected("This is not a ZIP archive, or it is damaged.")
    return int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def _nested(path: str, head: bytes) -> bool:
    return (
        path.lower().endswith(NESTED_SUFFIXES)
        or head.startswith(NESTED_MAGIC)
        or head[TAR_MAGIC_AT:].startswith(b"ustar")
    )


def read_directory(uploaded_file) -> tuple[zipfile.ZipFile, Contents]:
    """Open the archive and check it whole; ArchiveRejected when it is hostile or not a ZIP.

    Refused: more than FER_ZIP_MAX_MEMBERS members, more than FER_ZIP_MAX_BYTES uncompressed, a member
    expanding more than FER_ZIP_MAX_RATIO-fold (past 1 MB), an encrypted member, a symbolic link, an
    archive inside it, and a labels.csv that cannot be read.
    """
    limit = settings.FER_ZIP_MAX_MEMBERS
    declared = _entry_count(uploaded_file)
    if declared > limit:
        raise ArchiveRejected(f"The archive has {declared} members; the limit is {limit}.")
    try:
        archive = zipfile.ZipFile(uploaded_file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ArchiveRejected("This is not a ZIP archive, or it is damaged.") from None
    try:
        return archive, _check(archive, limit)
    except BaseException:
        archive.close()
        raise


def _check(archive: zipfile.ZipFile, limit: int) -> Contents:
    infos = archive.infolist()
    if len(infos) > limit:
        raise ArchiveRejected(f"The archive has {len(infos)} members; the limit is {limit}.")
    total = sum(info.file_size for info in infos)
    if total > settings.FER_ZIP_MAX_BYTES:
        raise ArchiveRejected(
            f"The archive expands to {size_text(total)}; the limit is {size_text(settings.FER_ZIP_MAX_BYTES)}."
        )
    members, skipped, labels_info = [], [], None
    for info in infos:
        path = info.filename
        if info.flag_bits & 0x1:
            raise ArchiveRejected(f"{path} is encrypted; send an archive without a password.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ArchiveRejected(f"{path} is a symbolic link; send the files themselves.")
        ratio = settings.FER_ZIP_MAX_RATIO
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise ArchiveRejected(
                f"{path} expands {info.file_size / max(info.compress_size, 1):.0f}-fold; "
                f"the limit is {ratio}-fold (photos and clips barely compress)."
            )
        if info.is_dir():
            continue
        name = base_name(path)
        if name.lower() == LABELS_NAME:
            if labels_info is not None:
                raise ArchiveRejected(f"The archive has two {LABELS_NAME} files ({labels_info.filename}, {path}).")
            labels_info = info
            continue
        if path.startswith("__MACOSX/") or name.startswith("._") or name == ".DS_Store":
            skipped.append((path, "macOS metadata, not a photo or clip."))
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            skipped.append((path, "compressed with a method this server does not read."))
            continue
        if _nested(path, _head(archive, info)):
            raise ArchiveRejected(f"{path} is an archive itself; send one archive of photos and clips.")
        members.append(Member(info, path, name))
    labels = _read_labels(archive, labels_info) if labels_info is not None else {}
    return Contents(members, skipped, labels)


def _head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as source:
            return source.read(SNIFF_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ArchiveRejected(f"{info.filename} is damaged; the archive cannot be read.") from None


def _read_labels(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, str]:
    if info.file_size > LABELS_MAX_BYTES:
        raise ArchiveRejected(f"{info.filename} is {size_text(info.file_size)}; the limit is 1 MB.")
    with archive.open(info) as source:
        data = source.read(LABELS_MAX_BYTES + 1)
    try:
        return parse_labels(data)
    except LabelsRejected as exc:
        raise ArchiveRejected(f"{info.filename}: {exc}") from None


def parse_labels(data: bytes) -> dict[str, str]:
    """labels.csv (header ``file,emotion``) as {file: emotion}; an empty emotion clears a label.
    LabelsRejected names the first line that is wrong."""
    if len(data) > LABELS_MAX_BYTES:
        raise LabelsRejected("the file is over 1 MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabelsRejected("it is not UTF-8 text.") from None
    rows = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(rows, [])]
    if header[:2] != ["file", "emotion"]:
        raise LabelsRejected("the first line must be the header file,emotion.")
    labels = {}
    for line, row in enumerate(rows, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise LabelsRejected(f"line {line} has no emotion (file,emotion).")
        path, emotion = row[0].strip(), row[1].strip().lower()
        if emotion and emotion not in ml.EMOTIONS:
            raise LabelsRejected(f"line {line}: {emotion!r} is not one of {', '.join(ml.EMOTIONS)}.")
        if path:
            labels[path] = emotion
    return labels


def label_for(labels: dict[str, str], path: str, name: str) -> str | None:
    """The label of a member: by its path in the archive (without a leading ./ or /), else its base name."""
    for key in (path, path.removeprefix("./").lstrip("/"), name):
        if key in labels:
            return labels[key]
    return None


def extract(archive: zipfile.ZipFile, member: Member) -> TemporaryUploadedFile:
    """The member decompressed into a temporary file on disk, named by its base name (closed by the caller).

    zipfile stops at the size the directory declares and checks the CRC, so a member cannot expand past
    what was checked; the copy goes in 1 MB chunks."""
    target = TemporaryUploadedFile(member.name, "application/octet-stream", member.info.file_size, None)
    try:
        with archive.open(member.info) as source:
            while chunk := source.read(COPY_CHUNK_BYTES):
                target.write(chunk)
        target.size = target.tell()
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return target
