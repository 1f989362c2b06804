"""Peak memory of one large photo upload, web side and worker side: ``python bench/upload_memory.py``.

For each size (1, 12, 25 and 49 megapixels, the last just under FER_MAX_IMAGE_PIXELS) and format (PNG
and JPEG), a photo is made of flat grey with skimage's astronaut (public domain) pasted in. Then, each
in a fresh process so that one peak does not hide another:

- web: ``services.create_media``, the whole upload path (header checks, decoding, normalisation, the
  stored copy and its thumbnail, the row, the message to the broker);
- worker: ``analyses.analyze_media`` on that row, with the model loaded and warmed up beforehand.

Prints, in MB: the process's resident memory before the call, the peak above it during the call (VmHWM,
reset through /proc/self/clear_refs just before), what is still held above it afterwards, and the
stored image's size. SQLite and the filesystem broker in a temporary folder; one thread. Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

REPO = Path(__file__).resolve().parents[1]
SIZES_MP = (1, 12, 25, 49)


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _reset_peak() -> None:
    # Linux 4.0 and later: writing 5 resets VmHWM (the peak resident size) to the current size.
    Path("/proc/self/clear_refs").write_text("5")


def make_photo(megapixels: int, image_format: str) -> bytes:
    """A square photo of about ``megapixels`` with one face, as PNG or JPEG bytes."""
    import io

    from PIL import Image
    from skimage import data

    side = round((megapixels * 1e6) ** 0.5)
    if megapixels == 49:
        side = 7000  # 49,000,000 pixels: just under the default 50 MP limit
    canvas = Image.new("RGB", (side, side), (128, 128, 128))
    face = Image.fromarray(data.astronaut())
    scale = max(1, side // 1500)
    face = face.resize((512 * scale, 512 * scale))
    canvas.paste(face, ((side - face.width) // 2, (side - face.height) // 2))
    del face
    buffer = io.BytesIO()
    canvas.save(buffer, image_format, **({"quality": 90} if image_format == "JPEG" else {}))
    return buffer.getvalue()


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fer_site.settings_test")
    import django

    django.setup()


def child_web(path: str) -> dict:
    _django()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from analysis.media.services import UploadRejected, create_media

    user, _ = get_user_model().objects.get_or_create(username="bench")
    body = Path(path).read_bytes()
    name = "photo.png" if body.startswith(b"\x89PNG") else "photo.jpg"
    with contextlib.suppress(UploadRejected):  # warm up imports and the database (refused: 1 byte)
        create_media(user, SimpleUploadedFile(name, b"x"))
    return _measure(lambda: create_media(user, SimpleUploadedFile(name, body)), body_mb=len(body) / 1e6)


def child_worker(media_id: str) -> dict:
    _django()
    from analysis.media.analyses import analyze_media
    from analysis.models import Media
    from ml.pipeline import warm_up

    warm_up()
    result = _measure(lambda: analyze_media(media_id))
    media = Media.objects.get(pk=media_id)
    result.update(status=media.status, error=media.error, faces=media.face_count)
    return result


def _measure(call, **extra) -> dict:
    from analysis.models import Media

    gc.collect()
    before = _status_mb("VmRSS")
    _reset_peak()
    call()
    peak = _status_mb("VmHWM")
    gc.collect()
    after = _status_mb("VmRSS")
    media = Media.objects.order_by("-created_at").first()
    stored = f"{media.width}x{media.height}" if media else "-"
    return {
        "before": before,
        "peak": peak - before,
        "kept": after - before,
        "id": str(media and media.pk),
        "stored": stored,
        **extra,
    }


def _run_child(kind: str, arg: str, env: dict) -> dict:
    command = [sys.executable, __file__, "--child", kind, arg]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO, check=False)
    if done.returncode:
        raise RuntimeError(f"{kind} child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = _common.parser(__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES_MP), help="megapixels")
    parser.add_argument("--formats", nargs="+", default=["PNG", "JPEG"])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # a fresh process for one measurement: one JSON line for the parent
        kind, arg = args.child
        print(json.dumps(child_web(arg) if kind == "web" else child_worker(arg)))
        return

    figures = _common.Figures(__file__, enabled=args.json)
    folder = Path(tempfile.mkdtemp(prefix="bench-upload-memory-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fer_site.settings_test",
        "FER_TEST_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "PYTHONPATH": str(REPO),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env=env, cwd=REPO, check=True)
    print("peak and kept: MB above the process's resident size before the call (one process per row)")
    print(
        f"{'photo':>16} {'file MB':>8} {'stored':>11} | {'web peak':>8} {'kept':>6} | {'worker peak':>11} {'kept':>6}"
    )
    for image_format in args.formats:
        for megapixels in args.sizes:
            path = folder / f"{megapixels}mp.{image_format.lower()}"
            path.write_bytes(make_photo(megapixels, image_format))
            web = _run_child("web", str(path), env)
            worker = _run_child("worker", web["id"], env)
            if worker["status"] != "done":
                print(f"# {megapixels} MP {image_format}: {worker['status']} {worker['error']}", file=sys.stderr)
            label = f"{megapixels} MP {image_format}"
            figures.section("photos")[f"{megapixels}mp_{image_format.lower()}"] = {
                "file_mb": web["body_mb"],
                "stored": web["stored"],
                "web_base_mb": web["before"],
                "web_peak_above_base_mb": web["peak"],
                "web_kept_above_base_mb": web["kept"],
                "worker_base_mb": worker["before"],
                "worker_peak_above_base_mb": worker["peak"],
                "worker_kept_above_base_mb": worker["kept"],
                "faces": worker["faces"],
                "status": worker["status"],
            }
            print(
                f"{label:>16} {web['body_mb']:8.2f} {web['stored']:>11} | {web['peak']:8.0f} {web['kept']:6.0f} |"
                f" {worker['peak']:11.0f} {worker['kept']:6.0f}   (faces {worker['faces']}, base web"
                f" {web['before']:.0f} / worker {worker['before']:.0f})"
            )
    figures.finish()


if __name__ == "__main__":
    main()
