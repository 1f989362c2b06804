"""ZIP archives for collection tests and the collection benchmark, built in memory: photos, hostile
archives (zip bombs, encrypted members, symbolic links, nested archives)."""

import io
import stat
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.photos import astronaut, encode


def photo_jpeg(size: int = 256, shift: int = 0) -> bytes:
    """A ``size`` x ``size`` JPEG cut from the astronaut (her face in it), ``shift`` pixels to the right."""
    return encode(astronaut()[:size, shift : shift + size])


def build(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP of ``members`` (path -> bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for path, data in members.items():
            archive.writestr(path, data)
    return buffer.getvalue()


def photos(count: int, size: int = 256, labels: dict[str, str] | None = None) -> bytes:
    """A ZIP of ``count`` photos photo-000.jpg..., with labels.csv when ``labels`` is given."""
    members = {f"photos/photo-{i:03d}.jpg": photo_jpeg(size, shift=i % 200) for i in range(count)}
    if labels is not None:
        members["labels.csv"] = ("file,emotion\n" + "".join(f"{k},{v}\n" for k, v in labels.items())).encode()
    return build(members, zipfile.ZIP_STORED)


def with_symlink(target: str = "/etc/passwd") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", photo_jpeg(64))
        link = zipfile.ZipInfo("link.jpg")
        link.create_system = 3  # Unix: the mode below is read
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, target)
    return buffer.getvalue()


def with_encrypted_member() -> bytes:
    """A ZIP whose second member has the "encrypted" flag (as a password-protected member has)."""
    data = bytearray(build({"photo.jpg": photo_jpeg(64), "secret.jpg": photo_jpeg(64)}, zipfile.ZIP_STORED))
    # Set bit 0 of the general-purpose flags in every local header and central directory entry.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            flags = struct.unpack_from("<H", data, start + offset)[0]
            struct.pack_into("<H", data, start + offset, flags | 0x1)
            start += 4
    return bytes(data)


def bomb(megabytes: int = 20) -> bytes:
    """One member of ``megabytes`` zeros: it compresses about a thousand-fold."""
    return build({"photo.jpg": photo_jpeg(64), "big.jpg": bytes(megabytes * 1024 * 1024)})


def as_upload(data: bytes, name: str = "study.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")
