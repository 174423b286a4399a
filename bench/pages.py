"""Server time and query count of the public pages at 1,000, 10,000 and 100,000 items.

    .venv/bin/python bench/pages.py [--engines sqlite postgres] [--sizes 1000 10000 100000] [--repeat 30]
    .venv/bin/python bench/pages.py --url DATABASE_URL [--repeat 30]   # an existing database

For each database and size it seeds fictional data (seed_synthetic), then requests each page
through Django's test client, twice over: "cold" with the page cache emptied before every
request (the full render: queries, ORM, template), and "warm" as repeated readers get it (served
from the page cache, which is keyed by the data version). It prints medians and 95th
percentiles, the queries and size of a cold render, and two floors measured in the same run
through the same connection:

* replay: the SQL the page ran, replayed with no ORM, template or middleware ("cold x replay"
  is what the framework adds on top of its own SQL);
* honest: the best plain SQL a person would write for what the page shows (bench/floors.py);
  "cold x honest" is what the page costs over the database's least possible work.

A last row, "dashboard, counted from the items", times the dashboard's figures counted from
the items table (bench/floors.py) instead of read from the kept summary counts.
"""

from __future__ import annotations

import argparse
import json
import re

from common import machine, run_worker, seeded_database, setup_django, summary, timed

PAGES = {
    "dashboard": "/",
    "list": "/items/",
    "list ?country=TM": "/items/?country=TM",
    "list country+theme+status": "/items/?country=TM&theme=agriculture&status=completed",
    "list search": "/items/?q=item+1.1",
    "statement": "/documents/{doc}/",
    "item": "/documents/{doc}/items/1.1/",
    "country TM": "/countries/TM/",
    "theme": "/themes/agriculture/",
}


def worker(url: str, repeat: int, pages: list[str]) -> None:
    setup_django(url)
    import floors
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commitments.models import Document

    doc = Document.objects.order_by("slug").values_list("slug", flat=True).first()
    honest = floors.floors(floors.parameters())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    results = {}

    def run(sqls):
        with connection.cursor() as cursor:
            for sql in sqls:
                cursor.execute(sql)
                cursor.fetchall()

    for name, path in PAGES.items():
        if pages and name not in pages:
            continue
        path = path.format(doc=doc)
        response = client.get(path)  # warm-up (and check)
        if response.status_code == 302:  # to the page in the reader's language (/en/…)
            path = response["Location"]
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            size = len(client.get(path).content)
        # On PostgreSQL, form choices are read through server-side cursors: replay the SELECT.
        sqls = [
            re.sub(r"^DECLARE .*? CURSOR WITH(?:OUT)? HOLD FOR ", "", q["sql"], flags=re.S)
            for q in captured.captured_queries
        ]

        def cold(path=path):
            cache.clear()
            client.get(path)

        cold_times = summary(timed(cold, repeat))
        client.get(path)
        warm_times = summary(timed(lambda path=path: client.get(path), repeat))
        results[name] = {
            "queries": len(sqls),
            "kb": size / 1024,
            "cold": cold_times,
            "warm": warm_times,
            "replay": summary(timed(lambda sqls=sqls: run(sqls), repeat))[0],
            "honest": summary(timed(lambda name=name: run(honest[name]), repeat))[0],
        }
    counted = floors.counted_from_items()
    results["dashboard, counted from the items"] = {
        "honest": summary(timed(lambda: run(counted), repeat))[0]
    }
    print(json.dumps(results))


def print_table(title: str, results: dict, repeat: int) -> None:
    print(f"\n## {title} ({repeat} requests per page)")
    print(
        "| page | queries | KB | cold median ms | cold p95 ms | replay floor ms | honest floor ms "
        "| cold x honest | warm median ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for page, r in results.items():
        if "cold" not in r:  # a floor on its own
            print(f"| {page} (SQL only) | | | | | | {r['honest']:.1f} | | |")
            continue
        ratio = r["cold"][0] / r["honest"] if r["honest"] else float("inf")
        print(
            f"| {page} | {r['queries']} | {r['kb']:.0f} | {r['cold'][0]:.1f} | {r['cold'][1]:.1f} "
            f"| {r['replay']:.1f} | {r['honest']:.1f} | {ratio:.1f} | {r['warm'][0]:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pages", nargs="+", default=[], help="only these pages (names)")
    parser.add_argument("--url", help="measure this existing database instead of seeding")
    parser.add_argument("--db-prefix", default="bench_pages", help="name of seeded databases")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    pages = ["--pages", *args.pages] if args.pages else []
    if args.worker:
        worker(args.worker, args.repeat, args.pages)
        return
    print(f"# machine: {machine()}")
    if args.url:
        results = run_worker(__file__, args.url, "--repeat", str(args.repeat), *pages)
        print_table(args.url, results, args.repeat)
        return
    for engine in args.engines:
        for size in args.sizes:
            name = f"{args.db_prefix}_{size}"
            url = seeded_database(engine, name, items=size, updates=size * 3)
            results = run_worker(__file__, url, "--repeat", str(args.repeat), *pages)
            print_table(f"{engine}, {size:,} items", results, args.repeat)


if __name__ == "__main__":
    main()
