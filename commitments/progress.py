"""Progress summaries for the dashboard, document, country and theme pages: counts per status,
by theme, by document or by owner country.

Whole-catalogue figures (no country chosen) are read from the counts kept in step with every
change (summaries.py, `StatusCount`): a few small queries whatever the number of items.
Figures for a selection of items (`?country=…`) are counted by the database in one grouped
query each. Themes and documents count each item by its status; countries count each item
by the country's own status on it (status_rule, rule 1), and their bars link to the list of
items on which the country has that status (`owner_status`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from .choices import Status
from .figures import FIRM_STRENGTHS, FirmCommitments, Rates, firm_filters
from .models import ActionItem, Country, Document, OwnerStatus, StatusCount, Theme, path_to
from .querysets import OVERDUE_STATUSES, status_count_expressions
from .summaries import (
    COUNTRY,
    DOCUMENT,
    DUE_MONTH,
    STRENGTH,
    THEME,
    THEME_COUNTRY,
    month_key,
    strength_key,
)

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
    #: The completion rates (figures.Rates) of the same items, when read with the counts.
    rates: object = None
    #: Their firm commitments kept (figures.FirmCommitments), when read with the counts.
    firm: object = None

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


def _item_list_path() -> str:
    return path_to("commitments:item-list")  # remembered per language (models.path_to)


def build(
    counts: dict[str, int],
    *,
    label=None,
    base_params: dict | None = None,
    status_param: str = "status",
    rates=None,
) -> Progress:
    """A bar whose segments link to the list filtered by `base_params` and, through
    `status_param`, the segment's status (`owner_status` for a country's own status)."""
    total = sum(counts.values())
    params = base_params or {}
    present = [status for status in STATUS_ORDER if counts.get(status)]
    percents = _percentages([counts[s] for s in present], total)
    segments = [
        Segment(status, counts[status], pct, items_url(**params, **{status_param: status.value}))
        for status, pct in zip(present, percents, strict=True)
    ]
    return Progress(
        counts=counts,
        total=total,
        url=items_url(**params),
        label=label,
        segments=segments,
        rates=rates,
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
    """One bar per owner country of `items`, each counting the items by the country's own
    status. An item owned by several countries counts for each."""
    rows = (
        OwnerStatus.objects.filter(item__in=items.order_by().values("pk"))
        .values("country")
        .annotate(**status_count_expressions())
    )
    counts = {row["country"]: _counts(row) for row in rows}
    countries = Country.objects.filter(pk__in=counts).order_by("code")
    params = {k: v for k, v in (base_params or {}).items() if k != "country"}
    return [_country_bar(c, counts[c.pk], None, params) for c in countries]


def _country_bar(country: Country, counts: dict[str, int], rates, params: dict) -> Progress:
    return build(
        counts,
        label=country,
        base_params={**params, "country": country.code},
        status_param="owner_status",
        rates=rates,
    )


# --- The whole catalogue, from the kept counts (summaries.py) ---------------------------------


def _kept(scope: str, **filters) -> dict[int, tuple[dict[str, int], Rates]]:
    """{key: ({status: count}, completion rates)} of the kept counts of one scope (keyed by
    `key2` for THEME_COUNTRY): one query."""
    key = "key2" if scope == THEME_COUNTRY else "key"
    rows = StatusCount.objects.filter(scope=scope, count__gt=0, **filters).values_list(
        key, "kind", "status", "count"
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    rates: dict[int, Rates] = defaultdict(Rates)
    for pk, kind, status, count in rows:
        counts[pk][status] += count
        rates[pk].add(kind, status, count)
    return {pk: (_counts(counts[pk]), rates[pk]) for pk in counts}


EMPTY = ({status.value: 0 for status in Status}, None)


#: The keys of the kept counts by strength (summaries.STRENGTH) of the firm strengths.
FIRM_KEYS = frozenset(strength_key(strength) for strength in FIRM_STRENGTHS)


def overall_and_themes(base_params: dict | None = None) -> tuple[Progress, list[Progress]]:
    """Every item by status, and one bar per theme, each with its completion rates, and the
    firm commitments kept (the overall bar's `firm`): two small queries. (Every item has
    exactly one theme, so the themes add up to the whole.)"""
    # Every strength's rows (a few dozen), picked below: with the firm keys in the WHERE
    # clause SQLite scanned the whole index rather than the two scopes (27 ms, not 1.6 ms, at
    # 100,000 items).
    rows = StatusCount.objects.filter(scope__in=[THEME, STRENGTH], count__gt=0).values_list(
        "scope", "key", "kind", "status", "count"
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    rates: dict[int, Rates] = defaultdict(Rates)
    total, total_rates = Counter(), Rates()
    firm_rows = []
    for scope, pk, kind, status, count in rows:
        if scope == STRENGTH:
            if pk in FIRM_KEYS:
                firm_rows.append((kind, status, count))
            continue
        counts[pk][status] += count
        rates[pk].add(kind, status, count)
        total[status] += count
        total_rates.add(kind, status, count)
    params = base_params or {}
    themes = [
        build(
            _counts(counts[t.pk]),
            label=t,
            base_params={**params, "theme": t.slug},
            rates=rates[t.pk],
        )
        for t in Theme.objects.filter(pk__in=counts)
    ]
    overall = build(_counts(total), base_params=params, rates=total_rates)
    overall.firm = _firm_commitments(firm_rows, params)
    return overall, themes


def kept_summary(
    *, theme: Theme | None = None, document: Document | None = None, base_params: dict | None = None
) -> Progress:
    """One theme's or one document's items by status, with their rates: one query."""
    scope, key = (THEME, theme.pk) if theme is not None else (DOCUMENT, document.pk)
    counts, rates = _kept(scope, key=key).get(key, EMPTY)
    return build(counts, base_params=base_params, rates=rates or Rates())


def kept_by_document(documents, base_params: dict | None = None) -> list[Progress]:
    """One bar per document, in the order given, with its rates: one query."""
    kept = _kept(DOCUMENT, key__in=[doc.pk for doc in documents])
    params = base_params or {}
    return [
        build(
            (found := kept.get(doc.pk, EMPTY))[0],
            label=doc,
            base_params={**params, "document": doc.slug},
            rates=found[1] or Rates(),
        )
        for doc in documents
    ]


def kept_by_country(
    countries=None, *, theme: Theme | None = None, base_params: dict | None = None
) -> list[Progress]:
    """One bar per country, by each country's own status on its items (all of them, or the
    theme's), with its rates: the countries given, in their order, or with a theme and no
    countries every country owning one of its items, by code. Countries owning none are left
    out. One query (two without countries)."""
    params = {k: v for k, v in (base_params or {}).items() if k != "country"}
    if theme is not None:
        params["theme"] = theme.slug
        chosen = {} if countries is None else {"key2__in": [c.pk for c in countries]}
        kept = _kept(THEME_COUNTRY, key=theme.pk, **chosen)
    else:
        kept = _kept(COUNTRY, key__in=[c.pk for c in countries])
    if countries is None:
        countries = Country.objects.filter(pk__in=kept).order_by("code")
    return [_country_bar(c, *kept[c.pk], params) for c in countries if c.pk in kept]


def kept_country(country: Country, base_params: dict | None = None) -> tuple[Progress, list]:
    """A country's items by its own status on each, overall and per theme, with their rates:
    two queries."""
    rows = StatusCount.objects.filter(
        Q(scope=COUNTRY, key=country.pk) | Q(scope=THEME_COUNTRY, key2=country.pk), count__gt=0
    ).values_list("scope", "key", "kind", "status", "count")
    overall, overall_rates = Counter(), Rates()
    by_theme: dict[int, Counter] = defaultdict(Counter)
    theme_rates: dict[int, Rates] = defaultdict(Rates)
    for scope, key, kind, status, count in rows:
        if scope == COUNTRY:
            overall[status] += count
            overall_rates.add(kind, status, count)
        else:
            by_theme[key][status] += count
            theme_rates[key].add(kind, status, count)
    params = {**(base_params or {}), "country": [country.code]}

    def bar(counts, rates, label=None, **extra):
        return build(
            _counts(counts),
            label=label,
            base_params={**params, **extra},
            status_param="owner_status",
            rates=rates,
        )

    themes = [
        bar(by_theme[t.pk], theme_rates[t.pk], t, theme=t.slug)
        for t in Theme.objects.filter(pk__in=by_theme)
    ]
    return bar(overall, overall_rates), themes


def firm_commitments(
    items: QuerySet[ActionItem], base_params: dict | None = None
) -> FirmCommitments:
    """The firm commitments among a selection of items, and how many were kept, counted by
    the database: one grouped query. (Over every item they come with the kept counts, from
    `overall_and_themes`.)"""
    rows = (
        items.order_by()
        .filter(strength__in=FIRM_STRENGTHS)
        .values_list("kind", "status")
        .annotate(n=Count("pk"))
    )
    return _firm_commitments(rows, base_params or {})


def _firm_commitments(rows, params: dict) -> FirmCommitments:
    """figures.FirmCommitments from (kind, status, count) rows, with the links to the list of
    each figure's items."""
    firm = FirmCommitments(
        url=items_url(**params, **firm_filters()),
        kept_url=items_url(**params, **firm_filters(kept=True)),
    )
    for kind, status, count in rows:
        firm.add(kind, status, count)
    return firm


def deadline_counts(day) -> tuple[int, int]:
    """(overdue, past due but not yet assessed) over every item, on `day`: the kept counts of
    the months before `day`'s month, plus this month's first days counted from the items (an
    indexed range of a few days). Two small queries whatever the number of items."""
    first = day.replace(day=1)
    overdue = set(OVERDUE_STATUSES)
    before = (
        StatusCount.objects.filter(scope=DUE_MONTH, key__lt=month_key(first), count__gt=0)
        .values_list("status")
        .annotate(n=Sum("count"))
    )
    this_month = (
        ActionItem.objects.filter(due_date__gte=first, due_date__lt=day)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    counts = Counter()
    for status, n in [*before, *this_month]:
        counts[status] += n
    return (
        sum(n for status, n in counts.items() if status in overdue),
        counts[Status.NOT_ASSESSED],
    )


def dashboard_countries(
    participants: int, others: int, base_params: dict | None = None
) -> list[Progress]:
    """The documents' participants (by code; at most `participants` of them, those owning the
    most items), then the `others` other countries owning the most items, each by its own
    status: two queries, whatever the number of countries. Every country is on /countries/."""
    taking_part = Document.participants.through.objects.values("country_id")
    top = (
        StatusCount.objects.filter(scope=COUNTRY)
        .exclude(key__in=taking_part)
        .values("key")
        .annotate(total=Sum("count"))
        .filter(total__gt=0)
        .order_by("-total", "key")
        .values("key")[:others]
    )
    participant = Exists(taking_part.filter(country_id=OuterRef("pk")))
    countries = Country.objects.annotate(participant=participant).filter(
        Q(participant=True) | Q(pk__in=top)
    )
    bars = kept_by_country(list(countries), base_params=base_params)
    most = sorted(bars, key=lambda bar: (-bar.total, bar.label.code))
    chosen = [bar for bar in most if bar.label.participant][:participants]
    return sorted(chosen, key=lambda bar: bar.label.code) + [
        bar for bar in most if not bar.label.participant
    ]
