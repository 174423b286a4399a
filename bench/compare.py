"""Before and after: the public pages of an older checkout and of this one, on the same data.

    .venv/bin/python bench/compare.py --before-tree ../old-checkout \
        [--engines sqlite postgres] [--sizes 1000 10000 100000] [--repeat 10]

For each database and size it seeds fictional data with the *older* tree (its migrations and
its seed_synthetic), brings the planner's statistics up to date (ANALYZE; VACUUM ANALYZE on
PostgreSQL, as autovacuum would on a running site), times that tree's pages with that tree's
own bench/pages.py, then migrates the same database with this tree (running whatever data
migrations come with it, such as 0008's summary counts), brings the statistics up to date
again and times this tree's pages with bench/pages.py (which adds the honest floors and page
sizes). Both trees run with this tree's virtualenv; page sizes are measured for both.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from common import ROOT, bench_env, database_url, machine, manage, prepare_database, run_worker

SIZES = """
import json, sys
sys.path.insert(0, "{bench}")
from common import setup_django
setup_django("{url}")
from django.test import Client
from commitments.models import Document
doc = Document.objects.order_by("slug").values_list("slug", flat=True).first()
from pages import PAGES
client = Client(HTTP_ACCEPT_LANGUAGE="en")
print(json.dumps({{n: len(client.get(p.format(doc=doc), follow=True).content) / 1024 for n, p in PAGES.items()}}))
"""
# The planner's statistics and, on PostgreSQL, the visibility map that lets an index answer a
# count alone: what autovacuum keeps up to date on a running site.
ANALYZE = """
import sys
sys.path.insert(0, "{bench}")
from common import setup_django
setup_django("{url}")
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
"""


def in_tree(tree: Path, url: str, *args: str) -> str:
    """Run python in `tree` (its code first on the path) against `url`; its output."""
    return subprocess.run(
        [sys.executable, *args], cwd=tree, env=bench_env(url), capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before-tree", type=Path, required=True)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    before = args.before_tree.resolve()
    print(f"# machine: {machine()}")
    for engine in args.engines:
        for size in args.sizes:
            name = f"bench_compare_{size}"
            url = database_url(engine, name)
            prepare_database(engine, name)
            seed = ["manage.py", "seed_synthetic", "--documents", str(max(1, size // 200)),
                    "--items", str(size), "--updates", str(size * 3)]  # fmt: skip
            in_tree(before, url, "manage.py", "migrate", "--no-input")
            in_tree(before, url, *seed)
            in_tree(ROOT, url, "-c", ANALYZE.format(bench=ROOT / "bench", url=url))
            old = last_json(in_tree(before, url, "bench/pages.py", "--worker", url,
                                    "--repeat", str(args.repeat)))  # fmt: skip
            old_kb = last_json(
                in_tree(before, url, "-c", SIZES.format(bench=before / "bench", url=url))
            )
            manage(url, "migrate", "--no-input")
            in_tree(ROOT, url, "-c", ANALYZE.format(bench=ROOT / "bench", url=url))
            new = run_worker(str(ROOT / "bench" / "pages.py"), url, "--repeat", str(args.repeat))
            print(f"\n## {engine}, {size:,} items ({args.repeat} requests per page)")
            print(
                "| page | queries before → after | KB before → after | cold median ms before "
                "| cold median ms after | cold p95 ms after | replay floor ms | honest floor ms "
                "| after x honest | warm median ms after |"
            )
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for page, r in new.items():
                if "cold" not in r:
                    print(f"| {page} (SQL only) | | | | | | | {r['honest']:.1f} | | |")
                    continue
                o = old.get(page, {})
                ratio = r["cold"][0] / r["honest"] if r["honest"] else float("inf")
                print(
                    f"| {page} | {o.get('queries', '?')} → {r['queries']} "
                    f"| {old_kb.get(page, 0):.0f} → {r['kb']:.0f} "
                    f"| {o.get('cold', [float('nan')])[0]:.1f} | {r['cold'][0]:.1f} "
                    f"| {r['cold'][1]:.1f} | {r['replay']:.1f} | {r['honest']:.1f} | {ratio:.1f} "
                    f"| {r['warm'][0]:.1f} |"
                )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
