"""python manage.py import_statement PATH --slug SLUG [--title ...]

Reads a Japanese joint statement as extracted from its PDF into a Document with its
sections, paragraphs and signatories. Running it again on the same file changes nothing;
a file it cannot read is refused with the line at fault, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments.models import Country, Document, Paragraph, Section, Signatory
from commitments.statement_parser import (
    ParsedStatement,
    StatementParseError,
    decode,
    parse_statement,
)


class Command(BaseCommand):
    help = "Import a Japanese joint statement (text extracted from its PDF) as a document."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="UTF-8 text file of the statement.")
        parser.add_argument(
            "--slug", required=True, help="Short name used in URLs, e.g. caj-fmm5-2014."
        )
        parser.add_argument(
            "--title", help="Title in the original language (default: read from the file)."
        )
        parser.add_argument(
            "--source-url", default="", help="Where the official text is published."
        )

    def handle(self, *args, path: Path, slug: str, title: str | None, source_url: str, **options):
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from None
        try:
            statement = parse_statement(decode(raw))
        except StatementParseError as error:
            raise CommandError(f"{path}: {error}. Nothing was imported.") from None
        if title:
            statement.title = title

        with transaction.atomic():
            changes = write_statement(statement, slug=slug, source_url=source_url)

        summary = (
            f"{len(statement.sections)} sections, {len(statement.paragraphs)} paragraphs, "
            f"{len(statement.signatories)} signatories"
        )
        if changes:
            self.stdout.write(
                self.style.SUCCESS(f"{slug}: {summary}; {changes} record(s) written.")
            )
        else:
            self.stdout.write(f"{slug}: {summary}; already up to date, nothing changed.")


def _apply(obj, values: dict) -> bool:
    """Set the values that differ; save and report whether anything changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed or obj._state.adding:
        obj.save()
        return True
    return False


def _country_in(position: str, countries: list[Country]) -> Country | None:
    """The country whose Japanese name is the longest one found in a signatory's title."""
    found = [c for c in countries if c.name_ja and c.name_ja in position]
    return max(found, key=lambda c: len(c.name_ja)) if found else None


def write_statement(statement: ParsedStatement, *, slug: str, source_url: str = "") -> int:
    """Create or update the document from the parsed text; return how many rows changed.

    Only the original-language fields are written: translations and action items that staff
    added are kept. Refuses (CommandError) to drop sections or paragraphs the file no
    longer has."""
    changes = 0
    document = Document.objects.filter(slug=slug).first() or Document(slug=slug)
    values = {
        "original_language": "ja",
        "title_ja": statement.title,
        "subtitle_ja": statement.subtitle,
        "meeting_ja": statement.meeting,
        "place_ja": statement.place,
        "signed_on": statement.signed_on,
        "preamble": statement.preamble,
        "closing": statement.closing,
    }
    if source_url:
        values["source_url"] = source_url
    changes += _apply(document, values)

    existing_sections = {s.number: s for s in document.sections.all()}
    extra = sorted(set(existing_sections) - {s.number for s in statement.sections})
    if extra:
        raise CommandError(
            f"{slug} has section(s) {extra} that the file does not; nothing was imported."
        )
    sections = {}
    for parsed in statement.sections:
        section = existing_sections.get(parsed.number) or Section(
            document=document, number=parsed.number
        )
        changes += _apply(section, {"title_ja": parsed.title})
        sections[parsed.number] = section

    existing_paragraphs = {p.number: p for p in document.paragraphs.all()}
    extra = sorted(set(existing_paragraphs) - {p.number for p in statement.paragraphs})
    if extra:
        raise CommandError(
            f"{slug} has paragraph(s) {extra} that the file does not; nothing was imported."
        )
    for parsed in statement.paragraphs:
        paragraph = existing_paragraphs.get(parsed.number) or Paragraph(
            document=document, number=parsed.number
        )
        changes += _apply(
            paragraph, {"section_id": sections[parsed.section_number].pk, "text": parsed.text}
        )

    countries = list(Country.objects.all())
    existing_signatories = {s.order: s for s in document.signatories.all()}
    for order, parsed in enumerate(statement.signatories, start=1):
        signatory = existing_signatories.pop(order, None) or Signatory(
            document=document, order=order
        )
        country = _country_in(parsed.position, countries)
        changes += _apply(
            signatory,
            {
                "name": parsed.name,
                "position": parsed.position,
                "country_id": country.pk if country else None,
            },
        )
    for leftover in existing_signatories.values():
        leftover.delete()
        changes += 1

    participants = {s.country_id for s in document.signatories.all() if s.country_id}
    if participants and participants != set(document.participants.values_list("pk", flat=True)):
        document.participants.set(participants)
        changes += 1
    return changes
