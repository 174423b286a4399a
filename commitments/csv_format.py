"""The CSV file format for action items, shared by every export and import.

One row per item, keyed by human-readable values (document slug, ref, ISO codes, theme slug),
never database ids. A file exported, edited in a spreadsheet and imported back just works:
export-only columns are ignored on import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from modeltranslation.utils import resolution_order

from .choices import Kind, Status, Strength
from .dates import today
from .models import ActionItem, StatusUpdate
from .querysets import OVERDUE_STATUSES

COLUMNS = [
    "document",
    "ref",
    "paragraph",
    "kind",
    "strength",
    "title_ja",
    "title_en",
    "owners",
    "theme",
    "starts_on",
    "due_date",
    "due_precision",
    "due_text",
    "status",
    "status_date",
    "status_note_ja",
    "status_note_en",
    "source_url",
    "paragraph_text",
    "overdue",
    "version",
    # Readable labels beside the codes, in the reader's language (the download's, the
    # admin user's; the default language for export_items).
    "status_label",
    "kind_label",
    "strength_label",
    "theme_name",
]
#: Columns an import ignores. `version` is read: it lets an import refuse rows whose item
#: changed after the file was exported.
EXPORT_ONLY = {
    "paragraph_text",
    "overdue",
    "status_label",
    "kind_label",
    "strength_label",
    "theme_name",
}
OWNER_SEPARATOR = ";"
# Cells a spreadsheet would run as a formula (CWE-1236). They get a leading apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def _looks_neutralised(value: str) -> bool:
    """Apostrophes, then a formula character: what `neutralise` adds one apostrophe to."""
    rest = value.lstrip("'")
    return value[:1] == "'" and rest[:1] in _FORMULA_FIRST


def neutralise(value: str) -> str:
    """Make a cell safe to open in a spreadsheet: never start it with a formula character.

    A value that itself starts with apostrophes before a formula character gets one more, so
    that `unneutralise` gives every value back exactly."""
    if value[:1] in _FORMULA_FIRST or _looks_neutralised(value):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise`: remove the one apostrophe it put before a formula character."""
    if _looks_neutralised(value):
        return value[1:]
    return value


# Read with values_list, not model instances: an export of 100,000 rows must stay close to
# the cost of the query itself (see bench/csv_speed.py). Each row is a named tuple
# (values_list(named=True)) whose attributes are these names, then `newest_update`.
VALUE_FIELDS = (
    "pk",
    "document__slug",
    "ref",
    "paragraph__number",
    "kind",
    "strength",
    "title_ja",
    "title_en",
    "theme__slug",
    "starts_on",
    "due_date",
    "due_precision",
    "due_text",
    "status",
    "status_date",
    "paragraph__text",
    "version",
    *(f"theme__name_{language}" for language in settings.MODELTRANSLATION_LANGUAGES),
)


def _iso(value) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class Labels:
    """The readable labels of the coded columns in one language, resolved when made."""

    status: dict[str, str]
    kind: dict[str, str]
    strength: dict[str, str]
    #: The theme-name columns to try in turn: this language, then modeltranslation's fallbacks.
    theme_fields: tuple[str, ...]

    @classmethod
    def current(cls) -> Labels:
        """Labels in the active language."""
        language = get_language() or settings.LANGUAGE_CODE
        return cls(
            status={choice.value: str(choice.label) for choice in Status},
            kind={choice.value: str(choice.label) for choice in Kind},
            strength={choice.value: str(choice.label) for choice in Strength},
            theme_fields=tuple(
                dict.fromkeys(
                    f"theme__name_{code}"
                    for code in (
                        *resolution_order(language.split("-")[0]),
                        settings.MODELTRANSLATION_DEFAULT_LANGUAGE,
                    )
                    if code in settings.MODELTRANSLATION_LANGUAGES
                )
            ),
        )

    def theme_name(self, row: tuple) -> str:
        """The theme's name in this language (or a fallback) from a row of VALUE_FIELDS."""
        names = (getattr(row, field) for field in self.theme_fields)
        return next((name for name in names if name), "")


def export_rows(
    items: QuerySet[ActionItem], *, chunk_size: int = 2000, labels: Labels | None = None
) -> Iterator[list[str]]:
    """Every item as a row in COLUMNS order, every cell neutralised, in chunks of the query.

    Owners and the newest update's note and source come from two extra queries per chunk.
    The label columns are in the language of `labels` (by default, the one active when the
    first row is read)."""
    day = today()
    labels = labels or Labels.current()
    chunk: list[tuple] = []  # named rows: VALUE_FIELDS, then newest_update
    # rewrite(False): plain Django values, without modeltranslation's per-row fallback work
    # (the columns name their language explicitly).
    # The update the item shows is the one with its (date, status): unique per item, so one
    # index probe per row (the unique constraint's index) finds it.
    newest = StatusUpdate.objects.filter(
        item=OuterRef("pk"),
        date=OuterRef("status_date"),
        status=OuterRef("status"),
        country__isnull=True,
        retracted_at__isnull=True,
    ).values("pk")[:1]
    rows = items.rewrite(False).annotate(newest_update=Subquery(newest))
    named = rows.values_list(*VALUE_FIELDS, "newest_update", named=True)
    for row in named.iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) == chunk_size:
            yield from _chunk_rows(chunk, day, labels)
            chunk = []
    if chunk:
        yield from _chunk_rows(chunk, day, labels)


def _id_list(ids: list[int]) -> RawSQL:
    """A literal list of integer ids for `__in`: Django prepares every parameter of a
    2,000-id list one by one, which cost more than the queries themselves (ints are safe)."""
    return RawSQL(",".join(str(int(pk)) for pk in ids), [])


def _chunk_rows(chunk: list[tuple], day, labels: Labels) -> Iterator[list[str]]:
    """The CSV rows of one chunk of named rows (export_rows), with their owners and the
    newest update's note and source read for the whole chunk at once."""
    ids = _id_list([row.pk for row in chunk])
    owners: dict[int, list[str]] = {}
    for item_id, code in (
        ActionItem.owners.through.objects.filter(actionitem_id__in=ids)
        .order_by()
        .values_list("actionitem_id", "country__code")
    ):
        owners.setdefault(item_id, []).append(code)
    for codes in owners.values():
        codes.sort()
    # The newest update's id comes with each row (see export_rows); fetch those updates by id.
    newest = [row.newest_update for row in chunk if row.newest_update]
    latest = {
        item_id: (note_ja or "", note_en or "", source or "")
        for item_id, note_ja, note_en, source in StatusUpdate.objects.rewrite(False)
        .filter(pk__in=_id_list(newest) if newest else [])
        .order_by()
        .values_list("item_id", "note_ja", "note_en", "source_url")
    }
    for row in chunk:
        note_ja, note_en, source = latest.get(row.pk, ("", "", ""))
        # figures.is_overdue's rule: assessed, not closed, past its date.
        overdue = bool(row.due_date and row.due_date < day and row.status in OVERDUE_STATUSES)
        yield [
            neutralise(value)
            for value in (
                row.document__slug,
                row.ref,
                str(row.paragraph__number),
                row.kind,
                row.strength,
                row.title_ja or "",
                row.title_en or "",
                OWNER_SEPARATOR.join(owners.get(row.pk, ())),
                row.theme__slug,
                _iso(row.starts_on),
                _iso(row.due_date),
                row.due_precision,
                row.due_text,
                row.status,
                _iso(row.status_date),
                note_ja,
                note_en,
                source,
                row.paragraph__text,
                "yes" if overdue else "no",
                str(row.version),
                labels.status.get(row.status, ""),
                labels.kind.get(row.kind, ""),
                labels.strength.get(row.strength, ""),
                labels.theme_name(row),
            )
        ]


class Echo:
    """A file-like object that hands back what is written, for StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


def stream_csv(
    items: QuerySet[ActionItem], *, bom: bool = True, chunk_size: int = 2000
) -> Iterator[str]:
    """The CSV text of the items a line at a time, reading the database in chunks.

    The labels are taken in the language active now, not when the rows are read: a
    streamed response is read after its view (and the request's language) has returned."""
    return _csv_lines(items, bom=bom, chunk_size=chunk_size, labels=Labels.current())


def _csv_lines(items, *, bom: bool, chunk_size: int, labels: Labels) -> Iterator[str]:
    writer = csv.writer(Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow(COLUMNS)
    for row in export_rows(items, chunk_size=chunk_size, labels=labels):
        yield writer.writerow(row)
