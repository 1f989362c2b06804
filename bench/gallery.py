"""Server time of the gallery page and of GET /api/media/ with 1,000 items, and their SQL query counts.

Target (issue 3): under 100 ms per page. Runs Django in this process (no network, no web server) on a
throw-away database: PostgreSQL beside DATABASE_URL when it names one, else a temporary SQLite file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/gallery.py

Prints figures; asserts nothing (tests/analysis/test_*_queries.py assert the constant query counts).
"""

import contextlib
import os
import statistics
import tempfile
import time

import _common  # noqa: F401  (first: thread settings, the repository root on sys.path)

from bench._platform import postgres_database


def measure(client, url, repeats):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (templates, URL resolver)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return statistics.median(times), max(times), len(captured)


def main():
    parser = _common.parser(__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    figures = _common.Figures(__file__, enabled=args.json)
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="fer-bench-"))
        database = os.environ.get("DATABASE_URL", "")
        if database.startswith("postgres"):
            database = stack.enter_context(postgres_database(database))
        else:
            database = f"sqlite:///{folder}/db.sqlite3"
        os.environ.update(DATABASE_URL=database, DJANGO_DEBUG="True", MEDIA_ROOT=f"{folder}/media", STATIC_ROOT=folder)
        os.environ["DJANGO_SETTINGS_MODULE"] = "fer_site.settings"
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client
        from django.test.utils import setup_test_environment

        import ml
        from analysis.models import Detection, Media

        setup_test_environment()
        settings.DEBUG = False
        call_command("migrate", verbosity=0)
        user = User.objects.create_user("gallery", password="bench-password-1")
        User.objects.create_user("other", password="bench-password-1")
        items = Media.objects.bulk_create(
            Media(
                user=user,
                file=f"users/{user.pk}/{i}.jpg",
                thumbnail=f"users/{user.pk}/thumbs/{i}.jpg",
                original_name=f"photo-{i}.jpg",
                status=Media.Status.DONE,
                face_count=2,
                dominant_emotion=ml.EMOTIONS[i % 7],
                width=640,
                height=480,
                timings={"detect_ms": 10.0, "classify_ms": 5.0},
            )
            for i in range(args.items)
        )
        probabilities = {name: 1 / 7 for name in ml.EMOTIONS}
        Detection.objects.bulk_create(
            Detection(
                media=m,
                frame=0,
                timestamp_ms=0,
                track=t,
                box=[10 + 60 * t, 10, 50, 50],
                probabilities=probabilities,
                emotion="happy",
            )
            for m in items
            for t in (1, 2)
        )
        client = Client()
        client.force_login(user)
        print("target: server time under 100 ms per page")
        print(f"database: {database.split(':')[0]}, {args.items} items with 2 faces each, {args.repeats} requests each")
        figures.update(
            target_ms=100, database=database.split(":")[0], items=args.items, faces_per_item=2, requests=args.repeats
        )
        last = (args.items + 19) // 20
        for key, label, url in [
            ("gallery_page_1", "gallery page 1", "/gallery/"),
            ("gallery_page_25", "gallery page 25", "/gallery/?page=25"),
            ("gallery_emotion_filter", "gallery, emotion filter", "/gallery/?emotion=happy"),
            ("api_list_page_1", "API list page 1", "/api/media/"),
            ("api_list_last_page", f"API list page {last}", f"/api/media/?page={last}"),
            ("api_list_status_filter", "API list, status filter", "/api/media/?status=done&page=3"),
            ("dashboard", "dashboard", "/dashboard/"),
        ]:
            median, worst, queries = measure(client, url, args.repeats)
            print(f"  {label:26s} median {median:6.1f} ms  max {worst:6.1f} ms  {queries:2d} SQL queries")
            figures.section("pages")[key] = {"url": url, "median_ms": median, "max_ms": worst, "sql_queries": queries}
        connections.close_all()
    figures.finish()


if __name__ == "__main__":
    main()
