"""Collections (issue 26): archive-accept time for a ZIP of photos, items analysed per second, and the summary
of a 1,000-item collection.

Targets: a ZIP of 200 photos (256 x 256) accepted in under 5 s and analysed at the worker's normal photo
throughput (one worker process, concurrency 1); GET /api/collections/<id>/summary/ of 1,000 items in under
200 ms. Median of three runs, each archive into a collection of its own:

    .venv/bin/python bench/collection_archive.py            # --photos 200 --runs 3 --summary-items 1000
    .venv/bin/python bench/collection_archive.py --json     # ends with one JSON line of the figures

Accept time: from sending the POST to its 202 (the archive read, every member checked, stored and
queued). Items per second: the archive's photos over the time from sending the POST to the last one
finished (polled every 0.1 s), beside the same photos sent one upload each (the worker's normal photo
throughput). The summary: a collection of --summary-items done photos with one face each and a label,
written straight into the database, then GET .../summary/ timed from this process (median of 20). Uses
SQLite and the filesystem transport unless DATABASE_URL and CELERY_BROKER_URL say otherwise. Prints
figures; asserts nothing.
"""

import json
import statistics
import time
import urllib.request
import uuid

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

from bench._platform import Platform, get_json, post_photo
from tests import zips

FINAL = ("done", "failed", "cancelled")

SEED = """
import random
from analysis.models import Collection, Detection, Media
import ml
user = __import__("django.contrib.auth").contrib.auth.get_user_model().objects.get(username="bench0")
collection = Collection.objects.create(user=user, name="summary bench")
rng = random.Random(0)
items = [Media(user=user, collection=collection, file=f"users/{{user.pk}}/x{{i}}.jpg", status="done", face_count=1,
               dominant_emotion=rng.choice(ml.EMOTIONS), expected_emotion=rng.choice(ml.EMOTIONS)) for i in range({n})]
Media.objects.bulk_create(items, batch_size=500)
faces = []
for media in items:
    probabilities = {{name: rng.random() for name in ml.EMOTIONS}}
    faces.append(Detection(media=media, frame=0, timestamp_ms=0, track=1, box=[10, 10, 80, 80],
                           probabilities=probabilities, emotion=max(probabilities, key=probabilities.get)))
Detection.objects.bulk_create(faces, batch_size=500)
print("COLLECTION", collection.pk)
"""


def request(url: str, token: str, *, data: bytes | None = None, headers: dict | None = None, method: str = "GET"):
    call = urllib.request.Request(
        url, data=data, method=method, headers={"Authorization": f"Token {token}", **(headers or {})}
    )
    with urllib.request.urlopen(call, timeout=300) as response:  # noqa: S310 - our own local server
        return response.status, json.loads(response.read())


def post_archive(site, token: str, collection: str, body: bytes) -> tuple[int, dict]:
    boundary = uuid.uuid4().hex
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="study.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return request(
        f"{site.url}/api/collections/{collection}/archive/",
        token,
        data=payload,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )


def new_collection(site, token: str, name: str) -> str:
    status, body = request(
        f"{site.url}/api/collections/",
        token,
        data=json.dumps({"name": name}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    assert status == 201, body
    return body["id"]


def one_run(site, token: str, archive: bytes, count: int, number: int) -> tuple[float, float]:
    collection = new_collection(site, token, f"run {number}")
    started = time.perf_counter()
    status, answer = post_archive(site, token, collection, archive)
    accepted = time.perf_counter() - started
    if status != 202 or len(answer["items"]) != count:
        raise RuntimeError(f"archive answered {status}: {str(answer)[:500]}")
    while True:
        summary = get_json(f"{site.url}/api/collections/{collection}/summary/", token)
        ended = sum(summary["items"]["by_status"][state] for state in FINAL)
        if ended == count:
            break
        if time.perf_counter() - started > 1800:
            raise TimeoutError(f"{ended}/{count} ended:\n{site.log('worker')[-3000:]}")
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    return accepted, count / elapsed


def single_uploads(site, token: str, count: int) -> float:
    """The same photos sent one request each (the worker's normal photo throughput): items per second from
    the first POST to the last one finished."""
    photo = zips.photo_jpeg(256)
    started = time.perf_counter()
    urls = []
    for _ in range(count):
        status, answer = post_photo(site.url, token, photo)
        if status != 202:
            raise RuntimeError(f"upload answered {status}: {answer}")
        urls.append(answer["url"])
    pending = list(urls)
    while pending:
        pending = [url for url in pending if get_json(url, token)["status"] not in FINAL]
        if pending:
            time.sleep(0.1)
    return count / (time.perf_counter() - started)


def main():
    parser = _common.parser(__doc__)
    parser.add_argument("--photos", type=int, default=200, help="photos in each archive (256 x 256)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--summary-items", type=int, default=1000)
    args = parser.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)
    archive = zips.photos(args.photos, size=256)
    with Platform(web_workers=1, worker_concurrency=1) as site:
        site.start_worker()
        site.start_web()
        (token,) = site.create_users(1)
        # The worker loads the model with its first item: one photo first, not timed.
        one_run(site, token, zips.photos(1, size=256), 1, 0)
        accepts, rates = [], []
        for number in range(1, args.runs + 1):
            accepted, rate = one_run(site, token, archive, args.photos, number)
            accepts.append(accepted)
            rates.append(rate)
            print(f"run {number}: accepted in {accepted:.2f} s, {rate:.1f} items/s analysed")
        baseline = single_uploads(site, token, args.photos)
        print(f"the same photos uploaded one by one: {baseline:.1f} items/s analysed")
        output = site.manage("shell", "-c", SEED.format(n=args.summary_items))
        collection = output.split("COLLECTION", 1)[1].split()[0]
        url = f"{site.url}/api/collections/{collection}/summary/"
        samples = _common.timed(lambda: get_json(url, token), repeats=20, warmup=2)
    figures.update(
        broker=site.broker_kind,
        database=site.database_kind,
        photos=args.photos,
        runs=args.runs,
        archive_mb=len(archive) / 1e6,
        accept_s=statistics.median(accepts),
        accept_runs_s=accepts,
        items_per_s=statistics.median(rates),
        items_per_s_runs=rates,
        single_uploads_items_per_s=baseline,
        summary_items=args.summary_items,
        summary_median_ms=_common.median_ms(samples),
        summary_p90_ms=_common.p90_ms(samples),
    )
    print(f"archive of {args.photos} photos ({len(archive) / 1e6:.1f} MB), {figures['broker']}, {figures['database']}")
    print(f"accept: median {figures['accept_s']:.2f} s (target < 5 s)")
    print(
        f"analysed: median {figures['items_per_s']:.1f} items/s, one worker "
        f"(one upload per photo: {baseline:.1f} items/s)"
    )
    print(
        f"summary of {args.summary_items} items: median {figures['summary_median_ms']:.0f} ms, "
        f"p90 {figures['summary_p90_ms']:.0f} ms (target < 200 ms)"
    )
    figures.finish()


if __name__ == "__main__":
    main()
