"""python manage.py import_items FILE [--dry-run] [--user USERNAME]

Imports action items from CSV (UTF-8 or Shift_JIS), XLSX or JSON through the same service as
the admin (commitments/importing). Prints what it would do or did and every problem with its
row and column; exits non-zero on any problem, in which case nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commitments.importing.items import import_items
from commitments.importing.tabular import FileRefused, read_table
from commitments.importing.users import recorder_for


class Command(BaseCommand):
    help = "Import action items from a CSV, XLSX or JSON file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, write nothing."
        )
        parser.add_argument(
            "--user",
            help="Record the changes as made by this user (an active editor or administrator).",
        )

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, **options):
        recorder = recorder_for(user, "commitments.import_actionitem") if user else None
        table = read_file(file)
        if table.encoding:
            self.stdout.write(
                _("Read %(file)s as %(encoding)s.") % {"file": file, "encoding": table.encoding}
            )
        result = import_items(table, user=recorder, commit=not dry_run)
        for problem in result.problems:
            self.stderr.write(str(problem))
        if not result.ok:
            raise CommandError(
                _("Nothing was imported: %(count)d problem(s), listed above.")
                % {"count": len(result.problems)}
            )
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(_("Would import: %(summary)s") % {"summary": result.summary()})
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported: %(summary)s") % {"summary": result.summary()})
            )


def read_file(file: Path):
    """The file's table, or a CommandError that names the file and the problem."""
    from django.conf import settings
    from django.template.defaultfilters import filesizeformat

    try:
        size = file.stat().st_size
        if size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise CommandError(
                _(
                    "%(file)s is %(size)s; the largest file accepted is %(limit)s (IMPORT_MAX_UPLOAD_BYTES)."
                )
                % {
                    "file": file,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES),
                }
            )
        raw = file.read_bytes()
    except OSError as error:
        raise CommandError(
            _("%(file)s: cannot read the file (%(error)s).")
            % {"file": file, "error": error.strerror}
        ) from None
    try:
        return read_table(raw, file.name)
    except FileRefused as refusal:
        raise CommandError(f"{file}: {refusal}") from None
