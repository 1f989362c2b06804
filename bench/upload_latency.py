"""Upload to result for one 640 x 480 photo with an idle worker: from the POST to the item's finish time.

Target (issue 3): median under 1 second on Redis. Run with Redis for the target's conditions:

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/upload_latency.py

Without those variables it uses SQLite and the filesystem transport (polled every 0.1 s). One gunicorn
process, one worker process; photos are sent one at a time, each after the previous one finished, so
the worker is idle when each arrives. Prints figures; asserts nothing.
"""

import statistics
import time
from datetime import datetime

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

from bench._platform import Platform, get_json, photo_640x480, post_photo


def upload_and_wait(site, token, body, timeout=300):
    started = time.time()
    status, answer = post_photo(site.url, token, body)
    if status != 202:
        raise RuntimeError(f"upload answered {status}: {answer}")
    while True:
        item = get_json(answer["url"], token)
        if item["status"] in ("done", "failed", "cancelled"):
            break
        if time.time() - started > timeout:
            raise TimeoutError(f"{answer['id']} still {item['status']}:\n{site.log('worker')[-3000:]}")
        time.sleep(0.01)
    if item["status"] != "done":
        raise RuntimeError(f"{answer['id']} {item['status']}: {item['error']}")
    finished = datetime.fromisoformat(item["summary"]["finished_at"].replace("Z", "+00:00")).timestamp()
    return finished - started, item["summary"]["timings"]


def main():
    parser = _common.parser(__doc__)
    parser.add_argument("--photos", type=int, default=20)
    args = parser.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)
    body = photo_640x480()
    with Platform(web_workers=1) as site:
        site.start_worker()
        site.start_web()
        (token,) = site.create_users(1)
        upload_and_wait(site, token, body)  # the first one waits for the model to load
        latencies, timings = [], []
        for _ in range(args.photos):
            latency, item_timings = upload_and_wait(site, token, body)
            latencies.append(latency * 1000)
            timings.append(item_timings)
            time.sleep(0.2)
        latencies.sort()
        figures.update(
            broker=site.broker_kind,
            database=site.database_kind,
            photos=len(latencies),
            median_ms=statistics.median(latencies),
            p90_ms=latencies[int(0.9 * (len(latencies) - 1))],
            min_ms=latencies[0],
            max_ms=latencies[-1],
            target_median_ms=1000,
        )
        print(f"broker: {figures['broker']}, database: {figures['database']}")
        print(f"upload -> finished_at, {len(latencies)} photos of 640x480 one at a time (idle worker):")
        print(
            f"  median {figures['median_ms']:.0f} ms, p90 {figures['p90_ms']:.0f} ms,"
            f" min {latencies[0]:.0f} ms, max {latencies[-1]:.0f} ms  (target: median < 1000 ms)"
        )
        for key in ("queue_ms", "decode_ms", "detect_ms", "classify_ms", "total_ms"):
            figures.section("timings_median")[key] = statistics.median(t[key] for t in timings)
            print(f"  {key:12s} median {figures['timings_median'][key]:7.1f}")
    figures.finish()


if __name__ == "__main__":
    main()
