"""Live mode: round trip of one camera frame, and 4 users at 5 frames/s beside a stream of uploads.

Targets (issue 5): a 320x240 frame with one face through Redis and a warm worker, median < 60 ms and
p95 < 150 ms; 4 users x 5 frames/s for 60 s beside uploads: >= 90% of frames answered with faces,
p95 under the deadline (FER_LIVE_DEADLINE_MS, 1000 ms), all uploads done.

Production settings (DEBUG off), gunicorn with gthread threads, one worker process on the `live` queue
and one on `celery` (the layout the README advises). For the Redis figures:

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/live.py

Without CELERY_BROKER_URL it measures the embedded default (filesystem broker and result folder).
Prints figures; asserts nothing, but exits 1 when a target is missed.
"""

import collections
import http.client
import json
import statistics
import sys
import threading
import time
import uuid

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

from bench._platform import Platform, get_json, photo_640x480, post_photo


def frame_320x240() -> bytes:
    """The astronaut's head and shoulders (tests/analysis/live/frames.py) as a 320 x 240 JPEG of quality 80 (one face),
    as the Live page sends it."""
    from tests.analysis.live.frames import face_picture
    from tests.photos import encode

    return encode(face_picture(320, 240), quality=80)


class LiveClient:
    """One keep-alive HTTP connection posting frames to /api/live/ with a token, as one browser tab."""

    def __init__(self, base_url: str, token: str):
        host, port = base_url.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.token = token

    def post(self, frame: bytes) -> tuple[int, dict, float]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="frame.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + frame
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Authorization": f"Token {self.token}", "Content-Type": f"multipart/form-data; boundary={boundary}"}
        started = time.perf_counter()
        self.connection.request("POST", "/api/live/", body=body, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        try:
            answer = json.loads(payload)
        except ValueError:
            answer = {"body": payload[:200].decode(errors="replace")}
        return response.status, answer, elapsed


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


def warm(client: LiveClient, frame: bytes, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, answer, _ = client.post(frame)
        if status == 200 and answer["faces"]:
            return
        time.sleep(0.5)
    raise RuntimeError(f"No answer with a face after {timeout} s (last: {status} {answer})")


def round_trip(site: Platform, token: str, frames: int, figures: dict) -> bool:
    frame = frame_320x240()
    client = LiveClient(site.url, token)
    warm(client, frame)
    http_ms, broker_ms, worker_ms, codes = [], [], [], collections.Counter()
    for _ in range(frames):
        status, answer, elapsed = client.post(frame)
        codes[status] += 1
        if status == 200:
            http_ms.append(elapsed)
            broker_ms.append(answer["timings_ms"]["round_trip_ms"])
            worker_ms.append(answer["timings_ms"]["worker_ms"])
        time.sleep(0.05)  # a browser tab's pace, so each frame meets an idle worker
    print(f"round trip, {frames} frames of 320x240 ({len(frame) // 1024} KB), one at a time: {dict(codes)}")
    figures.update(frames=frames, frame_kb=len(frame) // 1024, status_codes=dict(codes))
    for name, key, values in (("HTTP POST to reply", "http", http_ms),
                              ("web -> broker -> worker -> web", "broker", broker_ms),
                              ("inside the worker", "worker", worker_ms)):  # fmt: skip
        print(f"  {name:32s} median {statistics.median(values):6.1f} ms   p95 {percentile(values, 95):6.1f} ms")
        figures[key] = {"median_ms": statistics.median(values), "p95_ms": percentile(values, 95)}
    if codes[503]:
        print("  live worker's log (tail):\n" + site.log("live")[-3000:])
    figures["target_met"] = statistics.median(http_ms) < 60 and percentile(http_ms, 95) < 150
    return figures["target_met"]


def load(
    site: Platform, tokens: list[str], users: int, fps: float, seconds: float, upload_every: float, figures: dict
) -> bool:
    frame = frame_320x240()
    photo = photo_640x480()
    for token in tokens[:users]:
        warm(LiveClient(site.url, token), frame)
    results = []  # (status, faces, ms)
    dropped = collections.Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def tab(token: str, index: int):
        client = LiveClient(site.url, token)
        period = 1 / fps
        next_tick = time.monotonic() + index * period / users
        while True:
            now = time.monotonic()
            if now >= stop_at:
                return
            if now < next_tick:
                time.sleep(next_tick - now)
                continue
            # Ticks that passed while a frame was in flight are dropped, as the page drops them.
            missed = int((now - next_tick) / period)
            next_tick += (missed + 1) * period
            status, answer, elapsed = client.post(frame)
            with lock:
                dropped[index] += missed
                results.append((status, len(answer.get("faces", [])), elapsed))

    uploads = []

    def uploader():
        while time.monotonic() < stop_at:
            status, answer = post_photo(site.url, tokens[-1], photo, "stream.jpg")
            uploads.append((status, answer))
            time.sleep(upload_every)

    threads = [threading.Thread(target=tab, args=(tokens[i], i)) for i in range(users)]
    threads.append(threading.Thread(target=uploader))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = {}
    deadline = time.monotonic() + 300
    accepted = [answer for status, answer in uploads if status == 202]
    while len(final) < len(accepted) and time.monotonic() < deadline:
        for answer in accepted:
            if answer["id"] not in final:
                item = get_json(answer["url"], tokens[-1])
                if item["status"] in ("done", "failed", "cancelled"):
                    final[answer["id"]] = item["status"]
        time.sleep(0.5)
    drained = time.monotonic() - started - seconds

    codes = collections.Counter(status for status, _, _ in results)
    with_faces = sum(1 for status, faces, _ in results if status == 200 and faces)
    share = with_faces / len(results) if results else 0.0
    p95 = percentile([ms for _, _, ms in results], 95)
    ticks = len(results) + sum(dropped.values())
    deadline_ms = 1000
    done = collections.Counter(final.values())
    median = statistics.median([ms for *_, ms in results])
    print(
        f"load: {users} users x {fps:g} frames/s for {seconds:g} s beside an upload every {upload_every:g} s\n"
        f"  frames sent {len(results)} of {ticks} ticks (dropped while one was in flight: {sum(dropped.values())}), "
        f"replies {dict(codes)}\n"
        f"  answered with faces {with_faces}/{len(results)} = {share:.1%} of frames sent "
        f"({with_faces / ticks if ticks else 0:.1%} of ticks); latency median "
        f"{median:.0f} ms, p95 {p95:.0f} ms (deadline {deadline_ms} ms)\n"
        f"  uploads: {len(uploads)} sent, {len(accepted)} accepted, final states {dict(done)}, "
        f"all finished {drained:.1f} s after the live load stopped"
    )
    figures.update(
        users=users,
        fps=fps,
        seconds=seconds,
        upload_every_s=upload_every,
        frames_sent=len(results),
        ticks=ticks,
        dropped=sum(dropped.values()),
        status_codes=dict(codes),
        answered_with_faces=with_faces,
        share_of_sent=share,
        share_of_ticks=with_faces / ticks if ticks else 0.0,
        median_ms=median,
        p95_ms=p95,
        deadline_ms=deadline_ms,
        uploads_sent=len(uploads),
        uploads_accepted=len(accepted),
        upload_states=dict(done),
        uploads_finished_after_s=drained,
        target_met=share >= 0.9 and p95 < deadline_ms and done.get("done", 0) == len(uploads),
    )
    return figures["target_met"]


def main():
    parser = _common.parser(__doc__)
    parser.add_argument("--frames", type=int, default=200, help="Frames for the round-trip figure.")
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--fps", type=float, default=5)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--upload-every", type=float, default=2.0, help="Seconds between uploads in the stream.")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn gthread threads per web process.")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)
    ok = True
    with _common.training_paused(), Platform(web_workers=1) as site:
        print(f"broker: {site.broker}; database: {site.database.split('@')[-1]}")
        figures.update(broker=site.broker, database=site.database.split("@")[-1], web_threads=args.threads)
        site.start_worker(queues="live", name="live")
        site.start_worker(queues="celery", name="uploads")
        site.start_web(threads=args.threads)
        tokens = site.create_users(args.users + 1)
        ok &= round_trip(site, tokens[0], args.frames, figures.section("round_trip"))
        if not args.skip_load:
            ok &= load(site, tokens, args.users, args.fps, args.seconds, args.upload_every, figures.section("load"))
    print("targets met" if ok else "a target was missed")
    figures["targets_met"] = bool(ok)
    figures.finish()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
