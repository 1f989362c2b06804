"""Faults on a production-like stack: recovery after kill -9 and a Redis restart, memory per upload size,
and the drain of many concurrent uploads.

`--soak` (issue 25) runs only the soak: for --soak-minutes (5 by default) several users upload photos and
clips, send live frames and receive webhooks on local receivers, while the run restarts Redis (broker and
cache), pauses the bucket (a moto_server process) with SIGSTOP and kills a worker's pool process; it prints
requests by status, items by final state, lost items, duplicate result rows, orphan objects, webhook
deliveries missing and the 95th-percentile upload latency outside the outages, and exits 1 unless the
four counts are 0. `--fairness` runs only the webhook fairness comparison (one user's slow endpoints
against another user's webhook, with the in-flight caps lifted and on).

Issue 13. The stack: production settings (DEBUG off), gunicorn gthread for the web, a Celery worker,
`celery beat` (the sweeper) as its own process, a redis-server of the benchmark's own on a free
loopback port with AOF (tests/redis_server.py), and PostgreSQL when DATABASE_URL names it:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/faults.py

Prints, each from a fresh look at the database:

- recovery after kill -9 of the pool process mid-clip, of the worker's main process mid-clip (a new
  worker is started at once, as systemd would), and after a Redis restart with jobs running and
  queued: seconds until the interrupted jobs are done, and until a photo uploaded right after is done;
- peak RSS (VmHWM, reset before each upload) of the web and of the worker's pool process per upload
  size (1, 12, 25, 49 MP), and what the worker keeps after the job;
- the drain time of N concurrent uploads from M users (200 from 20 by default): every status code,
  and the time from the first POST until every item is final.

The sweeper's timings are production's unless --stale-seconds / --sweep-seconds say otherwise
(recovery after the whole worker dies waits for the heartbeat to go stale). Smaller runs:
`--uploads 40 --users 8 --sizes 1,12`. Prints figures; asserts nothing, but exits 1 when an upload
answered 5xx or a job was lost.
"""

import collections
import contextlib
import io
import json
import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

from bench._platform import PYTHON, Platform, get_json, photo_640x480, post_photo
from tests.analysis.live.frames import face_frame
from tests.redis_server import RedisServer

FINAL = ("done", "failed", "cancelled")


# --- Processes -------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def memory_kb(pid: int, field: str) -> int:
    """VmHWM (peak RSS) or VmRSS of ``pid``, in kB; 0 for a process that is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak(pid: int) -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


class Stack:
    """The benchmark's processes on one Platform: web, worker and beat, each restartable."""

    def __init__(self, site: Platform, redis: RedisServer, concurrency: int, web_threads: int):
        self.site, self.redis, self.concurrency, self.web_threads = site, redis, concurrency, web_threads
        self.worker = None
        self.web = None
        self.workers_started = 0
        self.queues = "celery"

    def start_web(self) -> None:
        before = len(self.site.processes)
        self.site.start_web(threads=self.web_threads)
        self.web = self.site.processes[before]

    def start_beat(self) -> None:
        self.site._start(
            [PYTHON, "-m", "celery", "-A", "fer_site", "beat", "--loglevel", "WARNING",
             "--schedule", str(self.site.folder / "beat")],
            "beat",
        )  # fmt: skip

    def start_worker(self) -> None:
        self.workers_started += 1
        name = f"worker{self.workers_started}"
        before = len(self.site.processes)
        self.site.worker_concurrency = self.concurrency
        self.site.start_worker(queues=self.queues, name=name)
        self.worker = self.site.processes[before]
        deadline = time.monotonic() + 180
        while len(children(self.worker.pid)) < self.concurrency:
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker not started:\n{self.site.log(name)[-3000:]}")
            time.sleep(0.1)

    def web_pids(self) -> list[int]:
        return children(self.web.pid)

    def pool_pids(self) -> list[int]:
        return children(self.worker.pid)


# --- Uploads ---------------------------------------------------------------------------------------


def clip_bytes(seconds: int, folder: Path) -> bytes:
    """An MP4 of one moving face (tests/videos.py), ``seconds`` long at 10 fps, 640 x 360."""
    from tests.videos import clip_file

    return clip_file(folder, name=f"bench-{seconds}s.mp4", seconds=seconds).read_bytes()


def photo_of(megapixels: int, image_format: str) -> bytes:
    """A ``megapixels`` photo (4:3) of grey with the astronaut's head in it, as PNG or JPEG."""
    from PIL import Image
    from skimage import data

    width = round((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = round(megapixels * 1e6 / width)
    canvas = Image.new("RGB", (width, height), (128, 128, 128))
    head = Image.fromarray(data.astronaut()[20:240, 120:300])
    side = max(1, min(width, height) // 3)
    canvas.paste(head.resize((side, round(side * 220 / 180))), (width // 3, height // 4))
    buffer = io.BytesIO()
    canvas.save(buffer, image_format, **({"quality": 90} if image_format == "JPEG" else {}))
    return buffer.getvalue()


def post(site, token, body: bytes, name: str) -> tuple[int, dict]:
    return post_photo(site.url, token, body, name)


def wait_final(site, token, urls: list[str], timeout: float) -> dict[str, dict]:
    """Poll each item until final (or the timeout); {url: item}."""
    final: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    while len(final) < len(urls) and time.monotonic() < deadline:
        for url in urls:
            if url not in final:
                with contextlib.suppress(OSError):
                    item = get_json(url, token)
                    if item["status"] in FINAL:
                        final[url] = item
        time.sleep(0.2)
    return final


def wait_processing(site, token, url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while get_json(url, token)["status"] != "processing":
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} never started")
        time.sleep(0.05)
    time.sleep(0.5)  # into the clip, past the claim


# --- Soak: users at work while Redis restarts, the bucket hangs and a worker child dies (issue 25) -----


def request(method: str, url: str, token: str, body: bytes = b"", content_type: str = "") -> tuple[int, dict]:
    """One HTTP request; (status, JSON answer), status 0 when no answer came at all."""
    import json
    import urllib.error
    import urllib.request

    headers = {"Authorization": f"Token {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as answer:  # noqa: S310 - our own local server
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, {"not_json": text[:200].decode(errors="replace")}
    except OSError as error:
        return 0, {"error": str(error)}


def multipart(fields: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, (filename, data) in fields.items()
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


SOAK_REPORT = """
import json
from collections import Counter
from django.db.models import Count
from analysis.models import AnnotatedCopy, AnonymizedCopy, Detection, Media, WebhookMessage
ids = {str(pk) for pk in Media.objects.values_list("pk", flat=True)}
states = Counter(Media.objects.values_list("status", flat=True))
duplicates = Detection.objects.values("media", "frame", "track").annotate(n=Count("id")).filter(n__gt=1).count()
names = set()
for media in Media.objects.all():
    names.update(name for name in (media.file.name, media.thumbnail.name, media.playable.name) if name)
names |= {c.file.name for c in AnnotatedCopy.objects.all() if c.file}
names |= {c.file.name for c in AnonymizedCopy.objects.all() if c.file}
messages = Counter(WebhookMessage.objects.values_list("status", flat=True))
print("SOAK " + json.dumps({"ids": sorted(ids), "states": states, "duplicates": duplicates, "names": sorted(names),
      "messages": messages}))
"""


class Soak:
    """Users uploading photos and clips, sending live frames and receiving webhooks, for ``duration`` s."""

    def __init__(self, site, tokens, receiver, duration: float, photo: bytes, clip: bytes, frame: bytes):
        self.site, self.tokens, self.receiver, self.duration = site, tokens, receiver, duration
        self.photo, self.clip, self.frame = photo, clip, frame
        self.lock = threading.Lock()
        self.requests: collections.Counter = collections.Counter()
        self.uploads: list[tuple[float, float, int]] = []  # (start, seconds, status)
        self.accepted: dict[str, str] = {}  # media id -> token
        self.outages: list[tuple[str, float, float]] = []
        self.errors: list[str] = []

    def user(self, index: int, stop: float) -> None:
        token = self.tokens[index]
        step = 0
        while time.monotonic() < stop:
            step += 1
            if step % 5 == 0:
                body, kind = multipart({"file": ("frame.jpg", self.frame)})
                status, _ = request("POST", self.site.url + "/api/live/", token, body, kind)
                with self.lock:
                    self.requests[("live", status)] += 1
                continue
            clip = step % 7 == 0
            body, kind = multipart({"file": ("clip.mp4", self.clip) if clip else ("photo.jpg", self.photo)})
            started = time.monotonic()
            status, answer = request("POST", self.site.url + "/api/media/", token, body, kind)
            took = time.monotonic() - started
            with self.lock:
                self.requests[("clip" if clip else "photo", status)] += 1
                self.uploads.append((started, took, status))
                if status == 202:
                    self.accepted[answer["id"]] = token
                elif status >= 500 or status == 0:
                    self.errors.append(f"{status} {str(answer)[:200]}")
            time.sleep(0.3)

    def outage(self, name: str, action) -> None:
        started = time.monotonic()
        action()
        with self.lock:
            self.outages.append((name, started, time.monotonic()))

    def in_outage(self, moment: float, grace: float = 2.0) -> bool:
        return any(start - grace <= moment <= end + grace for _, start, end in self.outages)


def soak(stack: "Stack", bucket, args, figures) -> bool:
    """The soak run; prints its figures and returns whether nothing was lost, doubled or left over."""
    from tests.analysis.webhook_receiver import Receiver

    site = stack.site
    tokens = site.create_users(args.soak_users)
    with Receiver() as receiver:
        for i, token in enumerate(tokens):
            payload = json.dumps({"url": f"{receiver.url}/user{i}", "events": ["media.done", "media.failed"]})
            status, answer = request("POST", site.url + "/api/webhooks/", token, payload.encode(), "application/json")
            assert status == 201, (status, answer)
        scratch = Path(tempfile.mkdtemp(prefix="fer-soak-"))
        run = Soak(site, tokens, receiver, args.soak_minutes * 60, photo_640x480(), clip_bytes(2, scratch),
                   face_frame())  # fmt: skip
        started = time.monotonic()
        stop = started + run.duration
        users = [threading.Thread(target=run.user, args=(i, stop), daemon=True) for i in range(len(tokens))]
        for thread in users:
            thread.start()

        def redis_restart():
            stack.redis.stop()
            time.sleep(args.outage_seconds)
            stack.redis.start()

        def bucket_paused():
            bucket.pause()
            time.sleep(args.outage_seconds)
            bucket.resume()

        def worker_child_killed():
            for pid in stack.pool_pids()[:1]:
                os.kill(pid, signal.SIGKILL)

        for at, name, action in ((0.2, "Redis restarted", redis_restart), (0.45, "bucket paused", bucket_paused),
                                 (0.7, "worker child killed", worker_child_killed)):  # fmt: skip
            time.sleep(max(0.0, started + at * run.duration - time.monotonic()))
            run.outage(name, action)
            print(f"  {time.monotonic() - started:5.0f} s: {name}", flush=True)
        for thread in users:
            thread.join()
        ran = time.monotonic() - started

        # Drain: every accepted item final, then every final item's webhook received.
        pending = dict(run.accepted)
        final: dict[str, str] = {}
        deadline = time.monotonic() + args.timeout
        while pending and time.monotonic() < deadline:
            for pk, token in list(pending.items()):
                status, item = request("GET", f"{site.url}/api/media/{pk}/", token)
                if status == 200 and item.get("status") in FINAL:
                    final[pk] = item["status"]
                    del pending[pk]
            time.sleep(1)

        def hooked() -> set[str]:
            with receiver.lock:
                bodies = [r.body for r in receiver.received]
            return {json.loads(body)["data"]["id"] for body in bodies}

        wanted = {pk for pk, state in final.items() if state in ("done", "failed")}
        deadline = time.monotonic() + 120
        while wanted - hooked() and time.monotonic() < deadline:
            time.sleep(1)
        missing_hooks = len(wanted - hooked())
        with receiver.lock:
            received = collections.Counter(json.loads(r.body)["data"]["id"] for r in receiver.received)

    report = json.loads(site.manage("shell", "-c", SOAK_REPORT).split("SOAK ", 1)[1])
    keys = set(bucket.keys(bucket.bucket_name))
    referenced = set(report["names"])
    lost = [pk for pk in run.accepted if pk not in report["ids"] or pk in pending]
    calm = sorted(took for start, took, status in run.uploads if status == 202 and not run.in_outage(start))
    p95 = calm[min(len(calm) - 1, int(0.95 * len(calm)))] if calm else float("nan")
    by_status = collections.Counter()
    for (kind, status), count in run.requests.items():
        by_status[f"{kind} {status}"] += count
    print(
        f"soak: {ran:.0f} s, {len(tokens)} users; outages: "
        + ", ".join(f"{name} at {start - started:.0f} s for {end - start:.1f} s" for name, start, end in run.outages)
    )
    print(f"  requests by status: {dict(sorted(by_status.items()))}")
    print(f"  items by final state: {dict(report['states'])}; still not final after the drain: {len(pending)}")
    print(f"  lost items: {len(lost)}")
    print(f"  duplicate result rows: {report['duplicates']}")
    print(f"  orphan objects: {len(keys - referenced)}; objects missing: {len(referenced - keys)}")
    print(
        f"  webhook deliveries missing: {missing_hooks} (messages {dict(report['messages'])};"
        f" items delivered more than once: {sum(1 for n in received.values() if n > 1)})"
    )
    print(f"  p95 upload latency outside outages (±2 s): {p95 * 1000:.0f} ms over {len(calm)} uploads")
    for error in run.errors[:5]:
        print(f"  a 5xx or no answer: {error}")
    figures["soak"] = {
        "seconds": ran,
        "users": len(tokens),
        "outages": [(name, start - started, end - start) for name, start, end in run.outages],
        "requests_by_status": dict(by_status),
        "items_by_state": report["states"],
        "not_final": len(pending),
        "lost": len(lost),
        "duplicate_rows": report["duplicates"],
        "orphan_objects": len(keys - referenced),
        "missing_objects": len(referenced - keys),
        "webhooks_missing": missing_hooks,
        "p95_upload_ms_outside_outages": p95 * 1000,
    }
    return not lost and not pending and report["duplicates"] == 0 and keys == referenced and missing_hooks == 0


# --- Fairness between users' webhooks (issue 25, item 6) ---------------------------------------------

FAIRNESS_ENDPOINTS = """
from django.contrib.auth.models import User
from analysis.webhooks import services
for i in range(10):
    services.create_endpoint(User.objects.get(username="bench0"), "{slow}/a%d" % i, ["media.done"])
services.create_endpoint(User.objects.get(username="bench1"), "{fast}/b", ["media.done"])
"""
FAIRNESS_SEND = """
from django.contrib.auth.models import User
from analysis.webhooks import services
from analysis.webhooks.models import WebhookEndpoint
owner = User.objects.get(username="{username}")
for endpoint in WebhookEndpoint.objects.filter(user=owner):
    for _ in range({events}):
        services.send_test(endpoint)
import time
print(time.time())
"""


def fairness(args, caps: bool) -> dict:
    """One user's 10 endpoints on a slow receiver get 3 test events each, then another user's one
    endpoint gets one: seconds until that one arrives, with the in-flight caps on or lifted."""
    from tests.analysis.webhook_receiver import Answer, Receiver

    with contextlib.ExitStack() as stack_of:
        scratch = Path(stack_of.enter_context(tempfile.TemporaryDirectory(prefix="fer-bench-fair-")))
        redis = RedisServer(scratch / "redis").start()
        stack_of.callback(redis.stop)
        os.environ.pop("REDIS_URL", None)
        os.environ.update(
            CELERY_BROKER_URL=redis.url,
            FER_WEBHOOK_ALLOW_PRIVATE="True",
            FER_WEBHOOK_ALLOW_HTTP="True",
            FER_WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT="2" if caps else "1000",
            # Below the worker's concurrency, as configuration.md asks: half of it.
            FER_WEBHOOK_MAX_IN_FLIGHT_PER_USER=str(max(1, args.webhook_concurrency // 2)) if caps else "1000",
        )
        slow = stack_of.enter_context(Receiver([Answer(200, delay_s=args.slow_seconds)]))
        fast = stack_of.enter_context(Receiver())
        site = stack_of.enter_context(Platform())
        stack = Stack(site, redis, args.webhook_concurrency, 1)
        stack.queues = "webhooks"
        stack.start_worker()
        site.create_users(2)
        site.manage("shell", "-c", FAIRNESS_ENDPOINTS.format(slow=slow.url, fast=fast.url))
        site.manage("shell", "-c", FAIRNESS_SEND.format(username="bench0", events=3))
        # From the moment B's message was queued (printed by the shell), not from the shell's start-up.
        sent_at = float(site.manage("shell", "-c", FAIRNESS_SEND.format(username="bench1", events=1)).split()[-1])
        fast.wait_for(1, timeout=600)
        waited = time.time() - sent_at
        slow_received = len(slow.received)
    return {"other_user_waited_s": waited, "slow_deliveries_meanwhile": slow_received}


# --- Scenarios -------------------------------------------------------------------------------------


def recovery(stack: Stack, token: str, kind: str, clip: bytes, photo: bytes, timeout: float) -> tuple[str, dict]:
    """Kill (``pool``, ``main``) or restart (``redis``) mid-clip; seconds until everything is done again
    (the printed line and its figures)."""
    site = stack.site
    status, answer = post(site, token, clip, "clip.mp4")
    assert status == 202, (status, answer)
    wait_processing(site, token, answer["url"])
    # Photos waiting behind the clip (one pool process busy with it; the rest may take some).
    queued = [post(site, token, photo, f"queued-{i}.jpg")[1]["url"] for i in range(2)]
    at_kill = get_json(answer["url"], token)
    started = time.perf_counter()
    if kind == "pool":
        for pid in stack.pool_pids():
            os.kill(pid, signal.SIGKILL)
    elif kind == "main":
        # The main process only: its pool processes die with it (Celery sets PR_SET_PDEATHSIG).
        os.kill(stack.worker.pid, signal.SIGKILL)
        stack.worker.wait()
        stack.start_worker()
    else:
        stack.redis.restart()
    restarted = time.perf_counter() - started
    status, after = post(site, token, photo, "after.jpg")
    posted_after = time.perf_counter() - started
    urls = [answer["url"], *queued, after["url"]] if status == 202 else [answer["url"], *queued]
    done_at = {}
    deadline = time.monotonic() + timeout
    while len(done_at) < len(urls) and time.monotonic() < deadline:
        for url, item in wait_final(site, token, [u for u in urls if u not in done_at], 0.01).items():
            done_at[url] = (time.perf_counter() - started, item)
        time.sleep(0.1)
    lost = [url for url in urls if url not in done_at]
    states = collections.Counter(item["status"] for _, item in done_at.values())
    clip_s = done_at.get(answer["url"], (float("nan"),))[0]
    after_s = done_at.get(after.get("url"), (float("nan"),))[0] if status == 202 else float("nan")
    attempts = site.manage(
        "shell", "-c", f"from analysis.models import Media; print(Media.objects.get(pk='{answer['id']}').attempts)"
    )
    what = {"pool": "kill -9 of the pool process", "main": "kill -9 of the whole worker, new one started",
            "redis": "Redis restarted (SIGTERM, AOF)"}[kind]  # fmt: skip
    line = (
        f"  {what} (clip {at_kill['status']} at {at_kill['progress']:.0%}): clip done {clip_s:.1f} s after"
        f" in {attempts.split()[-1]} attempts, photo uploaded {posted_after:.1f} s after"
        f" (HTTP {status}) done {after_s:.1f} s after; all {len(urls)} jobs: {dict(states)}, lost {len(lost)}"
        + (f"; worker back in {restarted:.1f} s" if kind == "main" else "")
        + (f"; Redis back in {restarted:.1f} s" if kind == "redis" else "")
    )
    figures = {
        "clip_status_at_fault": at_kill["status"],
        "clip_progress_at_fault": at_kill["progress"],
        "clip_done_after_s": clip_s,
        "clip_attempts": int(attempts.split()[-1]) if attempts.split()[-1].isdigit() else None,
        "photo_posted_after_s": posted_after,
        "photo_http_status": status,
        "photo_done_after_s": after_s,
        "jobs": len(urls),
        "job_states": dict(states),
        "lost": len(lost),
    }
    if kind in ("main", "redis"):
        figures[f"{'worker' if kind == 'main' else 'redis'}_back_after_s"] = restarted
    return line, figures


def memory(
    stack: Stack, token: str, sizes: list[int], formats: list[str], timeout: float
) -> list[tuple[str, str, dict]]:
    """One (key, printed line, figures) per upload."""
    lines = []
    for image_format in formats:
        for megapixels in sizes:
            body = photo_of(megapixels, image_format)
            web, pool = stack.web_pids(), stack.pool_pids()
            before = {pid: memory_kb(pid, "VmRSS") for pid in web + pool}
            for pid in web + pool:
                reset_peak(pid)
            started = time.perf_counter()
            status, answer = post(stack.site, token, body, f"photo-{megapixels}mp.{image_format.lower()}")
            posted = time.perf_counter() - started
            item = {}
            if status == 202:
                item = wait_final(stack.site, token, [answer["url"]], timeout).get(answer["url"], {})
            total = time.perf_counter() - started
            web_peak = max(web, key=lambda pid: memory_kb(pid, "VmHWM") - before[pid])
            pool_peak = max(pool, key=lambda pid: memory_kb(pid, "VmHWM") - before[pid])
            figures = {
                "file_mb": len(body) / 1e6,
                "http_status": status,
                "posted_s": posted,
                "status": item.get("status", "not final"),
                "final_after_s": total,
                "web_peak_mb": memory_kb(web_peak, "VmHWM") / 1024,
                "web_peak_above_before_mb": (memory_kb(web_peak, "VmHWM") - before[web_peak]) / 1024,
                "worker_peak_mb": memory_kb(pool_peak, "VmHWM") / 1024,
                "worker_peak_above_before_mb": (memory_kb(pool_peak, "VmHWM") - before[pool_peak]) / 1024,
                "worker_kept_mb": (memory_kb(pool_peak, "VmRSS") - before[pool_peak]) / 1024,
            }
            lines.append(
                (
                    f"{megapixels}mp_{image_format.lower()}",
                    f"  {megapixels:>2} MP {image_format} ({len(body) / 1e6:.2f} MB): HTTP {status} in {posted:.2f} s,"
                    f" {figures['status']} after {total:.2f} s;"
                    f" web peak {figures['web_peak_mb']:.0f} MB (+{figures['web_peak_above_before_mb']:.0f});"
                    f" worker peak {figures['worker_peak_mb']:.0f} MB"
                    f" (+{figures['worker_peak_above_before_mb']:.0f}),"
                    f" kept after the job +{figures['worker_kept_mb']:.0f} MB",
                    figures,
                )
            )
    return lines


def drain(stack: Stack, tokens: list[str], uploads: int, timeout: float) -> tuple[str, bool, dict]:
    body = photo_640x480()

    def upload(i):
        return i, *post(stack.site, tokens[i % len(tokens)], body, f"drain-{i}.jpg")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=uploads) as pool:
        results = list(pool.map(upload, range(uploads)))
    posted = time.perf_counter() - started
    codes = collections.Counter(status for _, status, _ in results)
    accepted = [(i, answer["url"]) for i, status, answer in results if status == 202]
    final = {}
    deadline = time.monotonic() + timeout
    while len(final) < len(accepted) and time.monotonic() < deadline:
        for i, url in accepted:
            if i not in final:
                with contextlib.suppress(OSError):
                    item = get_json(url, tokens[i % len(tokens)])
                    if item["status"] in FINAL:
                        final[i] = item
        time.sleep(0.5)
    drained = time.perf_counter() - started
    states = collections.Counter(item["status"] for item in final.values())
    server_errors = sum(count for code, count in codes.items() if code >= 500)
    line = (
        f"  {uploads} concurrent uploads from {len(tokens)} users: HTTP {dict(codes)} ({server_errors} x 5xx),"
        f" all answered in {posted:.1f} s; {dict(states)}, {len(accepted) - len(final)} not final;"
        f" drained in {drained:.1f} s from the first POST"
    )
    figures = {
        "uploads": uploads,
        "users": len(tokens),
        "status_codes": dict(codes),
        "server_errors": server_errors,
        "all_answered_s": posted,
        "states": dict(states),
        "not_final": len(accepted) - len(final),
        "drained_s": drained,
    }
    return line, server_errors == 0 and states["done"] == uploads, figures


def main_fairness(args) -> None:
    figures = _common.Figures(__file__, enabled=args.json)
    print(
        f"fairness: user A's 10 endpoints on a receiver answering in {args.slow_seconds:g} s, 3 test events each,"
        f" then user B's one event to a fast receiver; worker -Q webhooks --concurrency {args.webhook_concurrency}"
    )
    for caps in (False, True):
        result = fairness(args, caps)
        per_user = max(1, args.webhook_concurrency // 2)
        name = f"in-flight caps 2 per endpoint, {per_user} per user" if caps else "no caps"
        print(
            f"  {name}: user B's webhook arrived {result['other_user_waited_s']:.1f} s after it was sent"
            f" ({result['slow_deliveries_meanwhile']} of A's 30 delivered by then)",
            flush=True,
        )
        figures.section("fairness")["caps" if caps else "no_caps"] = result
    figures.finish()


def main_soak(args) -> None:
    """The soak's own stack: Redis as broker and cache, a bucket on a moto process, web, worker, beat."""
    from tests.s3 import S3Process

    figures = _common.Figures(__file__, enabled=args.json)
    with contextlib.ExitStack() as stack_of:
        if not args.no_pause:
            stack_of.enter_context(_common.training_paused())
        scratch = Path(stack_of.enter_context(tempfile.TemporaryDirectory(prefix="fer-bench-soak-")))
        redis = RedisServer(scratch / "redis").start()
        stack_of.callback(redis.stop)
        bucket = S3Process()
        stack_of.callback(bucket.kill)
        bucket.bucket_name = bucket.new_bucket()
        os.environ.pop("REDIS_URL", None)
        os.environ.update(
            CELERY_BROKER_URL=redis.url,
            CACHE_URL=redis.url.rsplit("/", 1)[0] + "/1",
            **bucket.environment(bucket.bucket_name),
            # Outages here last seconds, so the sweeper's waits are seconds too (production: minutes).
            FER_JOB_STALE_SECONDS="10",
            FER_SWEEP_INTERVAL_SECONDS="2",
            FER_JOB_QUEUED_SECONDS="20",
            FER_STORAGE_DEADLINE_S="6",
            FER_WEBHOOK_ALLOW_PRIVATE="True",
            FER_WEBHOOK_ALLOW_HTTP="True",
            FER_WEBHOOK_RETRY_BASE_S="1",
            FER_LIVE_RATE="100/s",
        )
        site = stack_of.enter_context(Platform(web_workers=args.web_workers))
        stack = Stack(site, redis, max(args.concurrency, 2), args.web_threads)
        stack.queues = "celery,live,webhooks"
        stack.start_beat()
        stack.start_worker()
        stack.start_web()
        print(
            f"soak: redis-server {redis.port} (AOF) as broker and cache, bucket on moto_server {bucket.port},"
            f" database {site.database_kind}; gunicorn gthread -w {args.web_workers}"
            f" --threads {args.web_threads}; worker -Q {stack.queues} --concurrency {stack.concurrency}; beat apart;"
            f" {args.soak_minutes:g} min, outages of {args.outage_seconds:g} s",
            flush=True,
        )
        ok = soak(stack, bucket, args, figures)
        figures["ok"] = bool(ok)
        if not ok:
            for name in ("web", "beat", f"worker{stack.workers_started}"):
                print(f"--- {name}", site.log(name)[-2000:], sep="\n")
    figures.finish()
    sys.exit(0 if ok else 1)


def main():
    parser = _common.parser(__doc__)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--sizes", default="1,12,25,49", help="Megapixels of the memory uploads.")
    parser.add_argument("--formats", default="PNG,JPEG")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=1, help="Pool processes of the Celery worker.")
    parser.add_argument("--clip-seconds", type=int, default=30)
    parser.add_argument("--stale-seconds", type=int, default=60, help="FER_JOB_STALE_SECONDS (production: 60).")
    parser.add_argument("--sweep-seconds", type=int, default=30, help="FER_SWEEP_INTERVAL_SECONDS (production: 30).")
    parser.add_argument("--timeout", type=float, default=900, help="Seconds to wait for a scenario's jobs.")
    parser.add_argument("--skip", default="", help="Comma-separated: recovery, memory, drain.")
    parser.add_argument("--no-pause", action="store_true", help="Leave background training running.")
    parser.add_argument("--soak", action="store_true", help="Run the soak (only): users at work through outages.")
    parser.add_argument("--soak-minutes", type=float, default=5.0, help="How long the users work (default 5).")
    parser.add_argument("--soak-users", type=int, default=3)
    parser.add_argument("--outage-seconds", type=float, default=10.0, help="Redis down, bucket paused, each.")
    parser.add_argument("--fairness", action="store_true", help="Run the webhook fairness comparison (only).")
    parser.add_argument("--slow-seconds", type=float, default=3.0, help="The slow receiver's answer time.")
    parser.add_argument("--webhook-concurrency", type=int, default=4, help="Pool processes of the webhooks worker.")
    args = parser.parse_args()
    if args.soak:
        return main_soak(args)
    if args.fairness:
        return main_fairness(args)
    figures = _common.Figures(__file__, enabled=args.json)
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(size) for size in args.sizes.split(",")]

    with contextlib.ExitStack() as stack_of:
        if not args.no_pause:
            stack_of.enter_context(_common.training_paused())
        scratch = Path(stack_of.enter_context(tempfile.TemporaryDirectory(prefix="fer-bench-faults-")))
        redis = RedisServer(scratch / "redis").start()
        stack_of.callback(redis.stop)
        os.environ["CELERY_BROKER_URL"] = redis.url
        os.environ.pop("REDIS_URL", None)
        os.environ.update(
            FER_JOB_STALE_SECONDS=str(args.stale_seconds),
            FER_SWEEP_INTERVAL_SECONDS=str(args.sweep_seconds),
        )
        site = stack_of.enter_context(Platform(web_workers=args.web_workers))
        stack = Stack(site, redis, args.concurrency, args.web_threads)
        stack.start_beat()
        stack.start_worker()
        stack.start_web()
        tokens = site.create_users(max(args.users, 1))

        print(
            f"broker: redis-server {redis.port} (AOF), database: {site.database_kind};"
            f" gunicorn gthread -w {args.web_workers} --threads {args.web_threads};"
            f" worker --concurrency {args.concurrency}; beat apart;"
            f" FER_JOB_STALE_SECONDS={args.stale_seconds}, FER_SWEEP_INTERVAL_SECONDS={args.sweep_seconds}"
        )
        figures.update(
            database=site.database_kind,
            web_workers=args.web_workers,
            web_threads=args.web_threads,
            worker_concurrency=args.concurrency,
            stale_seconds=args.stale_seconds,
            sweep_seconds=args.sweep_seconds,
        )
        ok = True
        if "recovery" not in skip:
            clip = clip_bytes(args.clip_seconds, scratch)
            photo = photo_640x480()
            print(f"recovery ({args.clip_seconds} s 640x360 clip running, 2 photos queued behind it):")
            figures.section("recovery")["clip_s"] = args.clip_seconds
            for kind in ("pool", "main", "redis"):
                line, recovered = recovery(stack, tokens[0], kind, clip, photo, args.timeout)
                ok = ok and recovered["lost"] == 0
                figures.section("recovery")[f"kill_{kind}" if kind != "redis" else "redis_restart"] = recovered
                print(line, flush=True)
        if "memory" not in skip:
            print("peak RSS per upload (one upload at a time, VmHWM reset before each):")
            for key, line, peak in memory(stack, tokens[0], sizes, args.formats.split(","), args.timeout):
                figures.section("memory")[key] = peak
                print(line, flush=True)
        if "drain" not in skip:
            line, drained, drain_figures = drain(stack, tokens[: args.users], args.uploads, args.timeout)
            ok = ok and drained
            figures["drain"] = drain_figures
            print("drain:")
            print(line)
        figures["ok"] = bool(ok)
        if not ok:
            for name in ("web", "beat", f"worker{stack.workers_started}"):
                print(f"--- {name}", site.log(name)[-2000:], sep="\n")
    figures.finish()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
