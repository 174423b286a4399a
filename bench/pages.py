"""Server time and query count of the public pages at 1,000, 10,000 and 100,000 items.

    .venv/bin/python bench/pages.py [--engines sqlite postgres] [--sizes 1000 10000 100000] [--repeat 30]

For each database and size it seeds fictional data (seed_synthetic), then requests each page
through Django's test client, twice over: "cold" with the page cache emptied before every
request (the full render: queries, ORM, template), and "warm" as repeated readers get it (served
from the page cache, which is keyed by the data version). It prints medians and 95th
percentiles, the queries of a cold render, and the floor: that same SQL replayed through the same
connection with no ORM, template or middleware ("cold x floor" = what the framework adds).
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


def worker(url: str, repeat: int) -> None:
    setup_django(url)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from commitments.models import Document

    doc = Document.objects.order_by("slug").values_list("slug", flat=True).first()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    results = {}
    for name, path in PAGES.items():
        path = path.format(doc=doc)
        response = client.get(path)  # warm-up (and check)
        assert response.status_code == 200, (path, response.status_code)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        # On PostgreSQL, form choices are read through server-side cursors: replay the SELECT.
        sqls = [
            re.sub(r"^DECLARE .*? CURSOR WITH(?:OUT)? HOLD FOR ", "", q["sql"], flags=re.S)
            for q in captured.captured_queries
        ]

        def replay(sqls=sqls):
            with connection.cursor() as cursor:
                for sql in sqls:
                    cursor.execute(sql)
                    cursor.fetchall()

        def cold(path=path):
            cache.clear()
            client.get(path)

        cold_times = summary(timed(cold, repeat))
        client.get(path)
        warm_times = summary(timed(lambda path=path: client.get(path), repeat))
        floor = summary(timed(replay, repeat))
        results[name] = {
            "queries": len(sqls),
            "cold": cold_times,
            "warm": warm_times,
            "floor": floor[0],
        }
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.repeat)
        return
    print(f"# machine: {machine()}")
    for engine in args.engines:
        for size in args.sizes:
            name = f"bench_pages_{size}"
            url = seeded_database(engine, name, items=size, updates=size * 3)
            results = run_worker(__file__, url, "--repeat", str(args.repeat))
            print(f"\n## {engine}, {size:,} items ({args.repeat} requests per page)")
            print(
                "| page | queries | cold median ms | cold p95 ms | floor ms | cold x floor | warm median ms | warm p95 ms |"
            )
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            for page, r in results.items():
                ratio = r["cold"][0] / r["floor"] if r["floor"] else float("inf")
                print(
                    f"| {page} | {r['queries']} | {r['cold'][0]:.1f} | {r['cold'][1]:.1f} | {r['floor']:.1f} "
                    f"| {ratio:.1f} | {r['warm'][0]:.1f} | {r['warm'][1]:.1f} |"
                )


if __name__ == "__main__":
    main()
