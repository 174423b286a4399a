"""python manage.py import_items FILE [--dry-run] [--user USERNAME]

Imports action items from CSV (UTF-8 or Shift_JIS), XLSX or JSON. Prints what it would do or
did (new, updated, unchanged, errors with their row numbers) and exits non-zero on any error,
in which case nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from import_export.formats import base_formats

from commitments.resources import ActionItemResource, DetectingCSV

FORMATS = {".csv": DetectingCSV, ".xlsx": base_formats.XLSX, ".json": base_formats.JSON}


class Command(BaseCommand):
    help = "Import action items from a CSV, XLSX or JSON file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, write nothing."
        )
        parser.add_argument("--user", help="Record status changes as made by this user.")

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, **options):
        recorder = None
        if user:
            try:
                recorder = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"There is no user “{user}”.") from None
        fmt = FORMATS.get(file.suffix.lower())
        if fmt is None:
            raise CommandError(f"{file}: use a .csv, .xlsx or .json file.")
        try:
            size = file.stat().st_size
            if size > settings.IMPORT_MAX_UPLOAD_BYTES:
                raise CommandError(
                    f"{file} is {filesizeformat(size)}; the largest file accepted is "
                    f"{filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)} (IMPORT_MAX_UPLOAD_BYTES)."
                )
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read the file ({error.strerror}).") from None
        try:
            dataset = fmt().create_dataset(raw if fmt().is_binary() else raw.decode("utf-8-sig"))
        except ValidationError as error:
            raise CommandError(f"{file}: {' '.join(error.messages)}") from None
        except Exception as error:  # a file the format's reader cannot parse at all
            raise CommandError(
                f"{file}: this is not a readable {file.suffix} file ({error})."
            ) from None

        resource = ActionItemResource()
        resource.preview_diff = False  # nobody reads a per-row HTML diff here
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
            user=recorder,
        )
        encoding = getattr(dataset, "encoding", "")
        if encoding:
            self.stdout.write(f"Read {file} as {encoding}.")
        errors = report_errors(result)
        for line in errors:
            self.stderr.write(line)
        totals = result.totals
        verb = "Would import" if dry_run else "Imported"
        summary = (
            f"{totals['new']} new, {totals['update']} updated, {totals['skip']} unchanged, "
            f"{len(errors)} error(s)."
        )
        if errors:
            raise CommandError(f"Nothing was imported: {summary}")
        self.stdout.write(self.style.SUCCESS(f"{verb}: {summary}"))


def report_errors(result) -> list[str]:
    """Every problem in the result, one line each, naming the row (1 = first data row) and column."""
    lines = [f"File: {error.error}" for error in result.base_errors]
    for number, errors in result.row_errors():
        lines.extend(f"Row {number}: {error.error}" for error in errors)
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            label = "row" if column == "__all__" else f"column {column}"
            lines.extend(f"Row {row.number}, {label}: {message}" for message in messages)
    return lines
