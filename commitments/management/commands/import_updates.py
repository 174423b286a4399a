"""python manage.py import_updates FILE [--dry-run] [--user USERNAME]

Appends status updates from a CSV (UTF-8 or Shift_JIS), XLSX or JSON file with the columns
document, ref, country, status, date, note_ja, note_en, source_url — through the status
service, all rows or none. Rows identical to a recorded update are skipped.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commitments.importing.updates import import_updates
from commitments.importing.users import recorder_for

from .import_items import read_file


class Command(BaseCommand):
    help = "Append status updates from a CSV, XLSX or JSON file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, write nothing."
        )
        parser.add_argument("--user", help="Record the updates as made by this user.")

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, **options):
        recorder = recorder_for(user, "commitments.add_statusupdate") if user else None
        table = read_file(file)
        result = import_updates(table, user=recorder, commit=not dry_run)
        for problem in result.problems:
            self.stderr.write(str(problem))
        if not result.ok:
            raise CommandError(
                _("Nothing was imported: %(count)d problem(s), listed above.")
                % {"count": len(result.problems)}
            )
        summary = _("%(new)d new update(s), %(same)d already recorded.") % {
            "new": result.count("new"),
            "same": result.count("unchanged"),
        }
        message = _("Would import: %(summary)s") if dry_run else _("Imported: %(summary)s")
        self.stdout.write(self.style.SUCCESS(message % {"summary": summary}))
