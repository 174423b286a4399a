"""python manage.py propose_items SLUG [-o FILE.csv]

Reads the stored paragraphs of document SLUG and proposes action items, in the import CSV's
columns (commitments.csv_format.COLUMNS) plus `strength` and `evidence`: the words of the
paragraph each proposed value came from. Nothing is written to the database: a person reviews
the file (in Excel, or the admin) and imports it.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commitments.csv_format import COLUMNS, neutralise
from commitments.ingestion.proposer import propose_for_document
from commitments.models import Document

PROPOSAL_COLUMNS = [*COLUMNS, *(c for c in ("strength", "evidence") if c not in COLUMNS)]


class Command(BaseCommand):
    help = "Propose action items for a stored document, as CSV to review and import."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The document's slug, e.g. caj-fmm5-2014.")
        parser.add_argument(
            "-o", "--output", type=Path, help="Write the CSV here (default: standard output)."
        )

    def handle(self, *args, slug: str, output: Path | None, **options):
        document = Document.objects.filter(slug=slug).first()
        if document is None:
            raise CommandError(_("There is no document %(slug)s.") % {"slug": slug})
        if not document.paragraphs.exists():
            raise CommandError(
                _("%(slug)s has no paragraphs: import the statement first (import_statement).")
                % {"slug": slug}
            )
        proposals = propose_for_document(document)
        rows = [proposal.row(slug) for proposal in proposals]

        if output is None:
            write_csv(rows, self.stdout)
        else:
            # UTF-8 with a BOM, as the exports: Excel in Japan opens it as UTF-8.
            with Path(output).open("w", encoding="utf-8-sig", newline="") as file:
                write_csv(rows, file)
        paragraphs = len({p.paragraph for p in proposals})
        self.stderr.write(
            _("%(slug)s: %(items)d items proposed from %(paragraphs)d paragraphs.")
            % {"slug": slug, "items": len(rows), "paragraphs": paragraphs}
        )


def write_csv(rows: list[dict[str, str]], file) -> None:
    writer = csv.DictWriter(file, fieldnames=PROPOSAL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: neutralise(row.get(column, "")) for column in PROPOSAL_COLUMNS})
