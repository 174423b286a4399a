"""The CSV file format for action items, shared by every export and import.

One row per item, keyed by human-readable values (document slug, ref, ISO codes, theme slug),
never database ids. A file exported, edited in a spreadsheet and imported back just works:
export-only columns are ignored on import.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from .models import ActionItem, Country, StatusUpdate
from .querysets import today

COLUMNS = [
    "document",
    "ref",
    "paragraph",
    "kind",
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
]
EXPORT_ONLY = {"paragraph_text", "overdue"}
OWNER_SEPARATOR = ";"
# Cells a spreadsheet would run as a formula (CWE-1236). They get a leading apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make a cell safe to open in a spreadsheet: never start it with a formula character."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_queryset(items: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    """Items with everything a row needs: the newest update's fields come from subqueries."""
    newest = StatusUpdate.objects.filter(item=OuterRef("pk")).order_by(
        "-date", "-recorded_at", "-pk"
    )
    return (
        items.select_related("document", "paragraph", "theme")
        .prefetch_related(
            Prefetch("owners", queryset=Country.objects.order_by("code").only("code"))
        )
        .annotate(
            latest_note_ja=Subquery(newest.values("note_ja")[:1]),
            latest_note_en=Subquery(newest.values("note_en")[:1]),
            latest_source_url=Subquery(newest.values("source_url")[:1]),
        )
    )


def item_row(item: ActionItem, day=None) -> list[str]:
    """One item as a CSV row, in COLUMNS order, with every cell neutralised."""
    day = day or today()
    values = [
        item.document.slug,
        item.ref,
        str(item.paragraph.number),
        item.kind,
        item.title_ja or "",
        item.title_en or "",
        OWNER_SEPARATOR.join(owner.code for owner in item.owners.all()),
        item.theme.slug,
        item.starts_on.isoformat() if item.starts_on else "",
        item.due_date.isoformat() if item.due_date else "",
        item.due_precision,
        item.due_text,
        item.status,
        item.status_date.isoformat() if item.status_date else "",
        getattr(item, "latest_note_ja", "") or "",
        getattr(item, "latest_note_en", "") or "",
        getattr(item, "latest_source_url", "") or "",
        item.paragraph.text,
        "yes" if item.is_overdue_on(day) else "no",
    ]
    return [neutralise(value) for value in values]


class Echo:
    """A file-like object that hands back what is written, for StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


def stream_csv(
    items: QuerySet[ActionItem], *, bom: bool = True, chunk_size: int = 2000
) -> Iterator[str]:
    """Yield the CSV text of the items a line at a time, reading the database in chunks."""
    writer = csv.writer(Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow(COLUMNS)
    day = today()
    for item in export_queryset(items).iterator(chunk_size=chunk_size):
        yield writer.writerow(item_row(item, day))


def rows(items: QuerySet[ActionItem]) -> Iterable[list[str]]:
    day = today()
    for item in export_queryset(items).iterator(chunk_size=2000):
        yield item_row(item, day)
