"""CSV export and import speed against floors measured in the same run.

    .venv/bin/python bench/csv_speed.py [--engines sqlite postgres] [--export-rows 100000] [--import-rows 10000]

Export: the public download's code path (stream_csv) over N items, time and peak memory (max
RSS of a fresh process), next to a floor: csv.writer over a values_list of the same items
(no owners, no latest-update columns), and an honest floor: one SQL statement for the same
columns (owner codes aggregated, the status's update joined), through csv.writer. Import: N rows with owners and statuses through the
same import service the admin and import_items use (commitments/importing), next to a floor: bulk_create of the same items
and owner links.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from types import SimpleNamespace

from common import machine, manage, run_worker, seeded_database, setup_django


def export_worker(url: str, mode: str) -> None:
    setup_django(url)
    import csv

    from commitments.csv_format import VALUE_FIELDS, stream_csv
    from commitments.models import ActionItem

    items = ActionItem.objects.order_by("pk")
    start = time.perf_counter()
    rows = 0
    with open("/dev/null", "w", encoding="utf-8") as sink:
        if mode == "app":
            for chunk in stream_csv(items):
                sink.write(chunk)
                rows += 1
            rows -= 2  # BOM and header
        elif mode == "floor":
            writer = csv.writer(sink)
            # The app's own row query (without the owners and newest-update lookups).
            for row in items.values_list(*VALUE_FIELDS[1:]).iterator(chunk_size=2000):
                writer.writerow(row)
                rows += 1
        else:  # "honest": one plain SQL statement for the same columns, owners and update included
            from django.db import connection

            writer = csv.writer(sink)
            with connection.cursor() as cursor:
                cursor.execute(honest_export_sql(connection.vendor))
                while batch := cursor.fetchmany(2000):
                    writer.writerows(batch)
                    rows += len(batch)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": elapsed, "peak_mb": peak_mb}))


def honest_export_sql(vendor: str) -> str:
    """The export's columns (the items', their owner codes joined, the note and source of the
    update that gives the item its status) as the best single SQL statement for each engine."""
    owners = (
        "group_concat(c.code, ';')"
        if vendor == "sqlite"
        else "string_agg(c.code, ';' ORDER BY c.code)"
    )
    return f"""
        SELECT d.slug, i.ref, p.number, i.kind, i.strength, i.title_ja, i.title_en,
               (SELECT {owners} FROM commitments_actionitem_owners o
                  JOIN commitments_country c ON c.id = o.country_id
                 WHERE o.actionitem_id = i.id) AS owners,
               t.slug, i.starts_on, i.due_date, i.due_precision, i.due_text, i.status,
               i.status_date, u.note_ja, u.note_en, u.source_url, p.text, i.version,
               t.name_ja, t.name_en
          FROM commitments_actionitem i
          JOIN commitments_document d ON d.id = i.document_id
          JOIN commitments_paragraph p ON p.id = i.paragraph_id
          LEFT JOIN commitments_theme t ON t.id = i.theme_id
          LEFT JOIN commitments_statusupdate u
            ON u.item_id = i.id AND u.date = i.status_date AND u.status = i.status
           AND u.country_id IS NULL AND u.retracted_at IS NULL
         ORDER BY i.id
    """


def import_worker(url: str, mode: str, path: str) -> None:
    setup_django(url)
    from django.db import transaction

    from commitments.importing.items import import_items
    from commitments.importing.tabular import read_table
    from commitments.models import ActionItem, Country, Paragraph, Theme

    raw = Path(path).read_bytes()
    table = read_table(raw, "bench.csv")
    dataset = SimpleNamespace(dict=[{k: c.value for k, c in r.cells.items()} for r in table.rows])
    rows = len(table.rows)
    start = time.perf_counter()
    if mode == "app":
        # The import service the admin and import_items use: checks, plan under lock, write.
        result = import_items(table, commit=True)
        assert result.committed, [str(p) for p in result.problems[:3]]
        assert result.counts["new"] == rows, result.counts
    else:
        paragraphs = {
            (p.document.slug, p.number): p for p in Paragraph.objects.select_related("document")
        }
        themes = {t.slug: t for t in Theme.objects.all()}
        countries = {c.code: c.pk for c in Country.objects.all()}
        with transaction.atomic():
            items, owner_codes = [], []
            for row in dataset.dict:
                p = paragraphs[(row["document"], int(row["paragraph"]))]
                items.append(
                    ActionItem(
                        document_id=p.document_id,
                        paragraph=p,
                        ref=row["ref"],
                        kind=row["kind"],
                        title_ja=row["title_ja"],
                        title_en=row["title_en"],
                        theme=themes[row["theme"]],
                        due_date=row["due_date"] or None,
                        due_precision=row["due_precision"],
                        due_text=row["due_text"],
                        status=row["status"],
                        status_date=row["status_date"] or None,
                    )
                )
                owner_codes.append(row["owners"].split(";"))
            ActionItem.objects.bulk_create(items, batch_size=2000)
            through = ActionItem.owners.through
            through.objects.bulk_create(
                [
                    through(actionitem_id=i.pk, country_id=countries[c])
                    for i, codes in zip(items, owner_codes, strict=True)
                    for c in codes
                ],
                batch_size=5000,
            )
    elapsed = time.perf_counter() - start
    print(json.dumps({"rows": rows, "seconds": elapsed}))


def run(*args: str) -> dict:
    return run_worker(__file__, *args)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, url, mode, *rest = args.worker
        export_worker(url, mode) if kind == "export" else import_worker(url, mode, *rest)
        return

    print(f"# machine: {machine()}")
    for engine in args.engines:
        # Export
        name = "bench_export"
        url = seeded_database(engine, name, items=args.export_rows, updates=args.export_rows * 3)
        app, floor = run("export", url, "app"), run("export", url, "floor")
        honest = run("export", url, "honest")
        assert honest["rows"] == app["rows"], (honest["rows"], app["rows"])
        print(f"\n## {engine}: export of {app['rows']:,} rows")
        print("| | seconds | rows/s | peak memory (MB, whole process) |\n|---|---:|---:|---:|")
        for label, r in (
            ("stream_csv (the app)", app),
            ("floor: csv.writer over values_list (no owners, no update)", floor),
            ("honest floor: one SQL statement, the same columns, csv.writer", honest),
        ):
            print(
                f"| {label} | {r['seconds']:.2f} | {r['rows'] / r['seconds']:,.0f} | {r['peak_mb']:.0f} |"
            )
        print(f"app / floor time: {app['seconds'] / floor['seconds']:.2f}×")
        print(f"app / honest floor time: {app['seconds'] / honest['seconds']:.2f}×")

        # Import: export N seeded items to a file, then import them into a database that has the
        # same documents and paragraphs but no items.
        name = "bench_import"
        csv_path = f"/tmp/bench_import_{engine}.csv"
        results = {}
        for mode in ("app", "floor"):
            url = seeded_database(
                engine, name, items=args.import_rows, updates=args.import_rows, seed=2
            )
            manage(url, "export_items", "-o", csv_path)
            manage(
                url,
                "shell",
                "-c",
                "from commitments.models import ActionItem, StatusUpdate; StatusUpdate.objects.all().delete(); "
                "ActionItem.owners.through.objects.all().delete(); ActionItem.objects.all().delete()",
            )
            results[mode] = run("import", url, mode, csv_path)
        app, floor = results["app"], results["floor"]
        print(f"\n## {engine}: import of {app['rows']:,} new rows with owners and statuses")
        print("| | seconds | rows/s |\n|---|---:|---:|")
        for label, r in (
            ("import_items (the app: validation, plan under lock, history, statuses)", app),
            ("floor: bulk_create", floor),
        ):
            print(f"| {label} | {r['seconds']:.2f} | {r['rows'] / r['seconds']:,.0f} |")


if __name__ == "__main__":
    main()
