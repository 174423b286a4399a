"""python manage.py export_items [--document SLUG] [--country CODE ...] [--format csv|xlsx|json] [-o FILE]"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from commitments.csv_format import stream_csv
from commitments.models import ActionItem, Country, Document
from commitments.resources import ActionItemResource

FORMATS = ("csv", "xlsx", "json")


class Command(BaseCommand):
    help = "Export action items in the import format (UTF-8 CSV with BOM by default)."

    def add_arguments(self, parser):
        parser.add_argument("--document", help="Only this document (slug).")
        parser.add_argument(
            "--country",
            action="append",
            default=[],
            help="Only items owned by this country (ISO code); repeat for several.",
        )
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument(
            "--no-bom", action="store_true", help="CSV without the byte-order mark Excel needs."
        )

    def handle(self, *args, document, country, format, output, no_bom, **options):
        items = ActionItem.objects.all()
        if document:
            if not Document.objects.filter(slug=document).exists():
                raise CommandError(f"There is no document “{document}”.")
            items = items.filter(document__slug=document)
        if country:
            codes = [code.upper() for code in country]
            known = set(Country.objects.filter(code__in=codes).values_list("code", flat=True))
            unknown = sorted(set(codes) - known)
            if unknown:
                raise CommandError(f"Unknown country code(s): {', '.join(unknown)}.")
            items = items.owned_by(Country.objects.filter(code__in=codes))
        items = items.order_by("document__slug", "paragraph__number", "ref")

        if format == "csv":
            chunks = stream_csv(items, bom=not no_bom)
            if output:
                with open(output, "w", encoding="utf-8", newline="") as handle:
                    handle.writelines(chunks)
            else:
                sys.stdout.writelines(chunks)
            return
        dataset = ActionItemResource().export(queryset=items)
        data = dataset.export(format)
        mode = "wb" if isinstance(data, bytes) else "w"
        if output:
            with open(output, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as handle:
                handle.write(data)
        elif isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            self.stdout.write(data)
