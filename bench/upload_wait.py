"""Synchronous photo analysis (POST /api/media/?wait=30): request to response, one photo at a time.

One 640 x 480 photo with one face, one gunicorn process, one worker process; each photo is sent after
the previous answer came back, so the worker is idle when it arrives. The answer is 201 with the
finished item (its faces) when the analysis ends within the wait. Prints the median and the 95th
percentile of the whole round trip (upload, queue, analysis, the web process noticing the end, the
answer); asserts nothing.

    .venv/bin/python bench/upload_wait.py            # SQLite and the filesystem broker (polled every 0.1 s)
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://… .venv/bin/python bench/upload_wait.py
"""

import collections
import statistics
import time

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

from bench._platform import Platform, photo_640x480, post_photo


def percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    return sorted_values[min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))]


def main():
    parser = _common.parser(__doc__)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--wait", type=float, default=30)
    args = parser.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)
    body = photo_640x480()
    query = f"?wait={args.wait:g}"
    with _common.training_paused(), Platform(web_workers=1) as site:
        site.start_worker()
        site.start_web()
        (token,) = site.create_users(1)
        status, _ = post_photo(site.url, token, body, query=query)  # the first one waits for the model to load
        if status not in (201, 202):
            raise RuntimeError(f"the first upload answered {status}")
        latencies, statuses, faces = [], collections.Counter(), collections.Counter()
        for _ in range(args.photos):
            started = time.perf_counter()
            status, answer = post_photo(site.url, token, body, query=query)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
            if status == 201:
                faces[len(answer["faces"])] += 1
            time.sleep(0.2)
        latencies.sort()
        figures.update(
            broker=site.broker_kind,
            database=site.database_kind,
            photos=len(latencies),
            wait_s=args.wait,
            answered_201=statuses[201],
            answered_202=statuses[202],
            other_statuses=sum(n for code, n in statuses.items() if code not in (201, 202)),
            with_one_face=faces[1],
            median_ms=statistics.median(latencies),
            p95_ms=percentile(latencies, 0.95),
            min_ms=latencies[0],
            max_ms=latencies[-1],
        )
    print(f"broker: {figures['broker']}, database: {figures['database']}")
    print(f"POST /api/media/{query}, {len(latencies)} photos of 640x480 one at a time (one idle worker):")
    print(
        f"  {statuses[201]} x 201 with the item ({faces[1]} with its one face), {statuses[202]} x 202,"
        f" {figures['other_statuses']} other"
    )
    print(
        f"  request to response: median {figures['median_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms,"
        f" min {latencies[0]:.0f} ms, max {latencies[-1]:.0f} ms"
    )
    figures.finish()


if __name__ == "__main__":
    main()
