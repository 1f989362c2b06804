"""Capacity of ONE worker core on the real stack: ``python bench/capacity.py [--bucket]``.

A throw-away installation (bench/_platform.py: gunicorn, one Celery worker process, PostgreSQL and Redis
when DATABASE_URL / CELERY_BROKER_URL are set), the worker pinned to the last core and the web to the
others. Measured, per worker process (= per core, with TF_NUM_INTRAOP_THREADS=1):

- photos per second at 640x480 and at 12 MP: 1 / the median of each job's run time (claim to finish,
  from the API's started_at / finished_at), so the upload rate of the web does not limit the figure;
- clip minutes per minute: a 30 s 1280x720 30 fps H.264 clip (bench/video.py's), default sampling,
  duration / run time;
- live frames per second: 320x240 frames sent by two clients without pause for 15 s to a worker on
  `-Q live`; answers with a face per second.

``--bucket`` runs it with the files in a bucket on moto's S3 server on 127.0.0.1 (requirements-dev.txt)
instead of a local folder. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

from bench._platform import Platform, get_json, photo_640x480, post_photo
from bench.live import LiveClient, frame_320x240


def photo_12mp() -> bytes:
    import io

    from PIL import Image
    from skimage import data

    canvas = Image.new("RGB", (4000, 3000), (128, 128, 128))
    canvas.paste(Image.fromarray(data.astronaut()).resize((2400, 2400)), (800, 300))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def pin_group(leader: int, cores: set[int]) -> None:
    """Pin every process of ``leader``'s session (the worker and its pool) to ``cores``."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if os.getsid(int(proc.name)) == leader:
                    os.sched_setaffinity(int(proc.name), cores)
            except OSError:
                continue


def run_time_s(item: dict) -> float:
    summary = item["summary"]
    return (
        datetime.fromisoformat(summary["finished_at"]) - datetime.fromisoformat(summary["started_at"])
    ).total_seconds()


def wait_done(site: Platform, token: str, urls: list[str], timeout: float = 900) -> list[dict]:
    deadline, done = time.monotonic() + timeout, {}
    while len(done) < len(urls):
        for url in urls:
            if url not in done:
                item = get_json(url, token)
                if item["status"] in ("done", "failed", "cancelled"):
                    done[url] = item
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{len(urls) - len(done)} items not done after {timeout} s:\n{site.log('worker')[-3000:]}"
            )
        time.sleep(0.2)
    return [done[url] for url in urls]


def photos(site: Platform, token: str, body: bytes, count: int, label: str) -> dict:
    urls = [post_photo(site.url, token, body)[1]["url"] for _ in range(count)]
    items = wait_done(site, token, urls)
    assert all(item["status"] == "done" for item in items), [item["error"] for item in items]
    runs = [run_time_s(item) for item in items]
    median = statistics.median(runs)
    print(f"photos {label}: {1 / median:.2f} per second per core (median run {median * 1000:.0f} ms, n={count})")
    return {"photos_per_s": 1 / median, "median_run_ms": median * 1000, "photos": count}


def clip(site: Platform, token: str, folder: Path) -> dict:
    from bench.video import make_clip

    path = make_clip(folder / "720p.mp4", 1280, 720, 30.0)
    status, answer = post_photo(site.url, token, path.read_bytes(), name="clip.mp4")
    assert status == 202, answer
    (item,) = wait_done(site, token, [answer["url"]])
    assert item["status"] == "done", item["error"]
    run = run_time_s(item)
    print(
        f"clip 720p 30 fps, default sampling: {30.0 / run:.2f} clip minutes per minute per core ({run:.1f} s for 30 s)"
    )
    return {"clip_minutes_per_minute": 30.0 / run, "run_s": run, "clip_s": 30.0}


def live(site: Platform, token: str, seconds: float = 15.0) -> dict:
    frame, answered, lock = frame_320x240(), [0], threading.Lock()
    LiveClient(site.url, token).post(frame)  # the first frame warms the path
    stop = time.monotonic() + seconds

    def client():
        connection = LiveClient(site.url, token)
        while time.monotonic() < stop:
            status, answer, _ = connection.post(frame)
            if status == 200 and answer.get("faces"):
                with lock:
                    answered[0] += 1

    threads = [threading.Thread(target=client) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"live 320x240: {answered[0] / seconds:.1f} frames per second per core answered with a face")
    return {"frames_per_s": answered[0] / seconds, "seconds": seconds}


def main() -> None:
    parser = _common.parser(__doc__)
    parser.add_argument("--bucket", action="store_true", help="keep files in a bucket on moto's S3 server")
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)
    cores = sorted(os.sched_getaffinity(0))
    worker_cores, web_cores = {cores[-1]}, set(cores[:-1]) or {cores[-1]}
    if args.bucket:
        from tests.s3 import S3Server

        server = S3Server()
        os.environ.update(server.environment(server.new_bucket()))
    storage = "bucket (moto)" if args.bucket else "local folder"
    print(f"# {figures['cpu']}, {len(cores)} cores; worker on core {cores[-1]}; storage: {storage}")
    figures.update(cores=len(cores), worker_cores=1, storage="bucket" if args.bucket else "folder")
    with Platform(worker_concurrency=1) as site, tempfile.TemporaryDirectory() as folder:
        site.env["FER_LIVE_RATE"] = "100000/s"
        site.start_web(threads=8)
        site.start_worker()
        for process in site.processes:
            os.sched_setaffinity(process.pid, web_cores)
        pin_group(site.processes[-1].pid, worker_cores)
        token = site.create_users(1)[0]
        photos(site, token, photo_640x480(), 3, "warm-up")
        figures["photos_640x480"] = photos(site, token, photo_640x480(), args.photos, "640x480")
        figures["photos_12mp"] = photos(site, token, photo_12mp(), max(3, args.photos // 4), "12 MP")
        figures["clip_720p30"] = clip(site, token, Path(folder))
        figures["live_320x240"] = live(site, token)
    figures.finish()


if __name__ == "__main__":
    main()
