"""50 concurrent API uploads from 10 users against gunicorn with 2 worker processes.

Target (issue 3): no 5xx, and every upload reaches `done`. Production settings (DEBUG off), one Celery
worker process. For production-like figures use PostgreSQL and Redis:

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/concurrent_uploads.py

Prints figures; asserts nothing, but exits 1 when the target is missed.
"""

import collections
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

from bench._platform import Platform, get_json, photo_640x480, post_photo


def main():
    parser = _common.parser(__doc__)
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600, help="Seconds to wait for all results.")
    args = parser.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)
    body = photo_640x480()
    with Platform(web_workers=args.web_workers) as site:
        site.start_worker()
        site.start_web()
        tokens = site.create_users(args.users)

        def upload(i):
            started = time.perf_counter()
            status, answer = post_photo(site.url, tokens[i % len(tokens)], body, f"photo-{i}.jpg")
            return i, status, answer, (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.uploads) as pool:
            results = list(pool.map(upload, range(args.uploads)))
        posted = time.perf_counter() - started
        codes = collections.Counter(status for _, status, _, _ in results)
        accepted = [(i, answer) for i, status, answer, _ in results if status == 202]
        post_ms = sorted(ms for *_, ms in results)

        final = {}
        deadline = time.monotonic() + args.timeout
        while len(final) < len(accepted) and time.monotonic() < deadline:
            for i, answer in accepted:
                if i not in final:
                    item = get_json(answer["url"], tokens[i % len(tokens)])
                    if item["status"] in ("done", "failed", "cancelled"):
                        final[i] = item
            time.sleep(0.5)
        everything = time.perf_counter() - started
        states = collections.Counter(item["status"] for item in final.values())

        print(f"broker: {site.broker_kind}, database: {site.database_kind}")
        print(f"{args.uploads} concurrent uploads of a 640x480 JPEG from {args.users} users,", end=" ")
        print(f"gunicorn -w {args.web_workers}")
        print(f"  HTTP status codes: {dict(codes)}")
        print(
            f"  POST time: median {statistics.median(post_ms):.0f} ms, max {post_ms[-1]:.0f} ms;"
            f" all POSTs answered in {posted:.1f} s"
        )
        print(f"  results: {dict(states)}; {len(accepted) - len(final)} not finished after {args.timeout:.0f} s")
        print(f"  all {len(final)} analysed in {everything:.1f} s from the first POST (one worker process)")
        server_errors = sum(count for code, count in codes.items() if code >= 500)
        ok = server_errors == 0 and codes[202] == args.uploads and states["done"] == args.uploads
        print(f"target (no 5xx, every upload done): {'met' if ok else 'MISSED'}")
        figures.update(
            broker=site.broker_kind,
            database=site.database_kind,
            uploads=args.uploads,
            users=args.users,
            web_workers=args.web_workers,
            status_codes=dict(codes),
            server_errors=server_errors,
            post_median_ms=statistics.median(post_ms),
            post_max_ms=post_ms[-1],
            all_posts_answered_s=posted,
            states=dict(states),
            not_finished=len(accepted) - len(final),
            timeout_s=args.timeout,
            analysed=len(final),
            all_analysed_s=everything,
            target_met=ok,
        )
        if not ok:
            print(site.log("web")[-3000:], site.log("worker")[-3000:], sep="\n")
    figures.finish()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
