"""Progress summaries for the dashboard, country and theme pages: counts per status, grouped
by theme or by owner country, computed by the database in one grouped query each."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from .choices import Status
from .models import ActionItem, Country, Theme
from .querysets import status_count_expressions

STATUS_ORDER = Status.display_order()


@dataclass
class Segment:
    status: Status
    count: int
    percent: int
    url: str

    @property
    def css_class(self) -> str:
        return self.status.css_class


@dataclass
class Progress:
    """How many items are in each status, ready to draw as one stacked bar."""

    counts: dict[str, int]
    total: int
    url: str = ""
    label: object = None
    segments: list[Segment] = field(default_factory=list)

    @property
    def completed(self) -> int:
        return self.counts.get(Status.COMPLETED, 0)

    @property
    def completed_percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def by_status(self) -> list[tuple[Status, int]]:
        return [(status, self.counts.get(status, 0)) for status in STATUS_ORDER]


def _counts(row: dict) -> dict[str, int]:
    return {status.value: row.get(status.value) or 0 for status in Status}


def _percentages(counts: list[int], total: int) -> list[int]:
    """Whole percentages that add up to exactly 100 (largest remainder first)."""
    if not total:
        return [0] * len(counts)
    exact = [100 * c / total for c in counts]
    floors = [int(x) for x in exact]
    short = 100 - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in by_remainder[:short]:
        floors[i] += 1
    return floors


def items_url(**params) -> str:
    """The item list filtered by the given parameters (lists become repeated parameters)."""
    clean = {key: value for key, value in params.items() if value not in (None, "", [])}
    query = urlencode(clean, doseq=True)
    return _item_list_path() + (f"?{query}" if query else "")


@lru_cache(maxsize=1)
def _item_list_path() -> str:
    return reverse("commitments:item-list")


def build(counts: dict[str, int], *, label=None, base_params: dict | None = None) -> Progress:
    total = sum(counts.values())
    params = base_params or {}
    present = [status for status in STATUS_ORDER if counts.get(status)]
    percents = _percentages([counts[s] for s in present], total)
    segments = [
        Segment(status, counts[status], pct, items_url(**params, status=status.value))
        for status, pct in zip(present, percents, strict=True)
    ]
    return Progress(
        counts=counts, total=total, url=items_url(**params), label=label, segments=segments
    )


def summary(items: QuerySet[ActionItem], base_params: dict | None = None) -> Progress:
    return build(_counts(items.status_counts()), base_params=base_params)


def by_document(
    items: QuerySet[ActionItem], documents, base_params: dict | None = None
) -> list[Progress]:
    """One bar per document, in the order given, from one grouped query."""
    rows = items.order_by().values("document").annotate(**status_count_expressions())
    counts = {row["document"]: _counts(row) for row in rows}
    empty = {status.value: 0 for status in Status}
    params = base_params or {}
    return [
        build(counts.get(doc.pk, empty), label=doc, base_params={**params, "document": doc.slug})
        for doc in documents
    ]


def by_theme(items: QuerySet[ActionItem], base_params: dict | None = None) -> list[Progress]:
    rows = items.order_by().values("theme").annotate(**status_count_expressions())
    counts = {row["theme"]: _counts(row) for row in rows}
    themes = Theme.objects.filter(pk__in=counts)
    params = base_params or {}
    return [build(counts[t.pk], label=t, base_params={**params, "theme": t.slug}) for t in themes]


def by_country(items: QuerySet[ActionItem], base_params: dict | None = None) -> list[Progress]:
    """One bar per owner country. An item owned by several countries counts for each."""
    through = ActionItem.owners.through
    rows = (
        through.objects.filter(actionitem__in=items.order_by().values("pk"))
        .values("country")
        .annotate(**status_count_expressions("actionitem__status"))
    )
    counts = {row["country"]: _counts(row) for row in rows}
    countries = Country.objects.filter(pk__in=counts).order_by("code")
    params = {k: v for k, v in (base_params or {}).items() if k != "country"}
    return [
        build(counts[c.pk], label=c, base_params={**params, "country": c.code}) for c in countries
    ]
