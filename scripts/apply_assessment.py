"""Fold a reviewed assessment (an update-log CSV) into a document's fixture.

    DEBUG=true .venv/bin/python scripts/apply_assessment.py \
        fixtures/10_caj-fmm5-2014.json docs/research/2014-assessment.csv \
        [--drop REF:STATUS:DATE ...]

It loads the shipped fixtures into a scratch SQLite database, removes the updates named by
--drop (superseded entries of the fixture itself, e.g. item-level rows restated per country),
appends the CSV's rows through the same service as `import_updates` (so every rule applies:
sources, dates, owners), and writes the document's items and updates back into the fixture
with the statuses the status rule derives. The paragraphs, sections and signatories are
left as they are. Nothing outside the fixture file is written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("fixture", type=Path)
    parser.add_argument("assessment", type=Path)
    parser.add_argument("--drop", action="append", default=[], help="REF:STATUS:DATE")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp()) / "scratch.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.core import serializers
    from django.core.management import call_command

    from commitments.importing.tabular import read_table
    from commitments.importing.updates import import_updates
    from commitments.models import ActionItem, StatusUpdate
    from commitments.services import item_refresh_status

    call_command("migrate", verbosity=0)
    fixtures = sorted(str(p) for p in (ROOT / "fixtures").glob("0*.json"))
    call_command("loaddata", *fixtures, str(args.fixture), verbosity=0)
    slug = json.loads(args.fixture.read_text())[0]["fields"]["slug"]

    for spec in args.drop:
        ref, status, date = spec.split(":")
        update = StatusUpdate.objects.get(
            item__document__slug=slug, item__ref=ref, status=status, date=date, country=None
        )
        item = update.item
        update.delete()
        item_refresh_status(item=item)

    result = import_updates(read_table(args.assessment.read_bytes(), args.assessment.name))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if not result.committed:
        print("Nothing written: fix the assessment first.", file=sys.stderr)
        return 1

    records = json.loads(args.fixture.read_text())
    kept = [
        r
        for r in records
        if r["model"] not in {"commitments.actionitem", "commitments.statusupdate"}
    ]
    items = ActionItem.objects.filter(document__slug=slug).order_by("paragraph__number", "id")
    updates = StatusUpdate.objects.filter(item__document__slug=slug).order_by(
        "item__paragraph__number", "item__id", "date", "recorded_at", "id"
    )
    dumped = json.loads(
        serializers.serialize(
            "json", [*items, *updates], use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
    )
    args.fixture.write_text(json.dumps([*kept, *dumped], ensure_ascii=False, indent=1) + "\n")
    print(
        f"{result.status_updates} updates added; {len(dumped)} records written to {args.fixture}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
