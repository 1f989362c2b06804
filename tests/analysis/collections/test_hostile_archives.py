"""A hostile or unreadable archive is refused with a 400 that says why, and nothing is stored: no item, no
archive record, no file, no task."""

from pathlib import Path

import pytest

from analysis.models import ArchiveUpload, Media
from tests import zips


def nested_by_content() -> bytes:
    return zips.build({"photo.jpg": zips.photo_jpeg(64), "holiday.jpg": zips.build({"a.jpg": b"x"})})


def nested_tar() -> bytes:
    header = bytearray(512)
    header[257:262] = b"ustar"
    return zips.build({"photo.jpg": zips.photo_jpeg(64), "more.dat": bytes(header)})


CASES = {
    "too many members": (lambda: zips.photos(4, size=32), "4 members; the limit is 3"),
    "too many bytes": (lambda: zips.build({"a.jpg": bytes(3 * 1024 * 1024)}, 0), "expands to 3 MB; the limit is 2 MB"),
    "a zip bomb": (lambda: zips.bomb(20), "expands"),
    "an encrypted member": (zips.with_encrypted_member, "encrypted"),
    "a nested zip by name": (lambda: zips.build({"a.jpg": zips.photo_jpeg(64), "more.zip": b"x"}), "archive itself"),
    "a nested zip by content": (nested_by_content, "archive itself"),
    "a nested tar": (nested_tar, "archive itself"),
    "a symbolic link": (zips.with_symlink, "symbolic link"),
    "not a zip": (lambda: zips.photo_jpeg(64), "not a ZIP"),
    "an unreadable labels.csv": (
        lambda: zips.build({"a.jpg": zips.photo_jpeg(64), "labels.csv": b"file,emotion\na.jpg,joyful\n"}),
        "'joyful' is not one of",
    ),
}


@pytest.fixture
def limits(settings):
    settings.FER_ZIP_MAX_MEMBERS = 3
    settings.FER_ZIP_MAX_BYTES = 2 * 1024 * 1024
    settings.FER_ZIP_MAX_RATIO = 100


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_it_refuses_a_hostile_archive_and_stores_nothing(case, alice, study, api, limits, sent_tasks, media_root):
    build, reason = CASES[case]

    response = api(alice).post(
        f"/api/collections/{study.pk}/archive/", {"file": zips.as_upload(build())}, format="multipart"
    )

    assert response.status_code == 400, response.content
    assert reason in response.json()["detail"]
    assert Media.objects.count() == 0
    assert ArchiveUpload.objects.count() == 0
    assert [path for path in Path(media_root).rglob("*") if path.is_file()] == []
    assert sent_tasks == []


def test_the_ratio_bound_leaves_small_well_compressed_members_alone(alice, study, api, limits, sent_tasks):
    # A 500 KB blank member compresses a thousand-fold but is below the 1 MB floor: judged as a file.
    data = zips.build({"a.jpg": zips.photo_jpeg(64), "blank.jpg": bytes(500 * 1024)})

    response = api(alice).post(
        f"/api/collections/{study.pk}/archive/", {"file": zips.as_upload(data)}, format="multipart"
    )

    assert response.status_code == 202
    assert [entry["name"] for entry in response.json()["rejected"]] == ["blank.jpg"]
