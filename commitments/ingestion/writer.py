"""Write a parsed statement to the database: the document, its sections, paragraphs and
signatories. Only the original-language fields are written; translations and action items
that staff added are kept. Running it again on the same text changes nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from commitments.models import Country, Document, Paragraph, Section, Signatory

from .owners import CountryNames
from .parser import ParsedStatement


class StatementWriteError(ValueError):
    """The parsed text cannot be written over what the database holds; nothing was written."""


def _apply(obj, values: dict) -> bool:
    """Set the values that differ; save and report whether anything changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed or obj._state.adding:
        obj.save()
        return True
    return False


def _country_in(position: str, names: CountryNames) -> str | None:
    """The code of the first country named in a signatory's title (`ジョージア外務大臣`,
    `モルドバ共和国外務大臣`), in any of its common Japanese forms."""
    mentions = names.find(position)
    return next(iter(mentions[0].codes)) if mentions else None


@transaction.atomic
def statement_write(statement: ParsedStatement, *, slug: str, source_url: str = "") -> int:
    """Create or update the document from the parsed text; return how many rows changed.

    Refuses (StatementWriteError, nothing written) to drop sections or paragraphs the text no
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
    # Staff may have corrected the source in the admin: the command fills it, never replaces it.
    if source_url and not document.source_url:
        values["source_url"] = source_url
    changes += _apply(document, values)

    existing_sections = {s.number: s for s in document.sections.all()}
    extra = sorted(set(existing_sections) - {s.number for s in statement.sections})
    if extra:
        raise StatementWriteError(
            _("%(slug)s has section(s) %(numbers)s that the file does not.")
            % {"slug": slug, "numbers": extra}
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
        raise StatementWriteError(
            _("%(slug)s has paragraph(s) %(numbers)s that the file does not.")
            % {"slug": slug, "numbers": extra}
        )
    for parsed in statement.paragraphs:
        paragraph = existing_paragraphs.get(parsed.number) or Paragraph(
            document=document, number=parsed.number
        )
        changes += _apply(
            paragraph, {"section_id": sections[parsed.section_number].pk, "text": parsed.text}
        )

    countries = dict(Country.objects.values_list("code", "pk"))
    names = CountryNames(Country.objects.values_list("code", "name_ja"))
    existing_signatories = {s.order: s for s in document.signatories.all()}
    for order, parsed in enumerate(statement.signatories, start=1):
        signatory = existing_signatories.pop(order, None) or Signatory(
            document=document, order=order
        )
        values = {"name": parsed.name, "position": parsed.position}
        # The country is guessed from the title only for a new signatory or a changed title:
        # a country staff set by hand stays.
        if signatory._state.adding or signatory.position != parsed.position:
            values["country_id"] = countries.get(_country_in(parsed.position, names))
        changes += _apply(signatory, values)
    for leftover in existing_signatories.values():
        leftover.delete()
        changes += 1

    # Participants are only ever added: staff may have added one the signatures do not show.
    participants = {s.country_id for s in document.signatories.all() if s.country_id}
    missing = participants - set(document.participants.values_list("pk", flat=True))
    if missing:
        document.participants.add(*missing)
        changes += 1
    return changes
