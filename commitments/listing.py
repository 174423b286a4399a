"""What the item list says about its selection: the active filters, each with a link that
removes it, and a heading that says what was chosen and how many items it found."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import figures
from .choices import Kind, Status
from .filters import ActionItemFilterSet
from .models import Country, Document, Theme

# The filters a reader chooses, in the order the bar and the heading name them. Sorting and
# the page number are not filters.
FILTER_ORDER = [
    "country",
    "share",
    "status",
    "owner_status",
    "theme",
    "kind",
    "document",
    "due_year",
    "due_after",
    "due_before",
    "overdue",
    "q",
]


@dataclass
class Chip:
    """One active filter value, and the address of the list without it."""

    key: str
    label: str
    value: str
    remove_url: str

    @property
    def text(self) -> str:
        return _("%(filter)s: %(values)s") % {"filter": self.label, "values": self.value}


def _without(query: QueryDict, key: str, value: str) -> str:
    rest = query.copy()
    rest.pop("page", None)
    values = [v for v in rest.getlist(key) if v != value]
    if values:
        rest.setlist(key, values)
    else:
        rest.pop(key, None)
    return "?" + rest.urlencode() if rest else "?"


def _names(query: QueryDict) -> dict[str, dict[str, str]]:
    """Display names for the values in the address: a query each for countries, themes and
    documents, only when the address has them."""
    names: dict[str, dict[str, str]] = {
        "status": {s.value: str(s.label) for s in Status},
        "owner_status": {s.value: str(s.label) for s in Status},
        "kind": {k.value: str(k.label) for k in Kind},
        "share": {value: str(label) for value, label in figures.Share.choices},
    }
    if codes := [c.strip().upper() for c in query.getlist("country")]:
        names["country"] = dict(Country.objects.filter(code__in=codes).values_list("code", "name"))
    if slugs := query.getlist("theme"):
        names["theme"] = dict(Theme.objects.filter(slug__in=slugs).values_list("slug", "name"))
    if slug := query.get("document"):
        names["document"] = {d.slug: str(d) for d in Document.objects.filter(slug=slug)}
    return names


def _display(key: str, value: str, names: dict) -> str:
    if key == "country":
        return names.get("country", {}).get(value.strip().upper(), value)
    if key in names:
        return names[key].get(value, value)
    if key in ("due_after", "due_before"):
        try:
            return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    if key == "overdue":
        return _("yes") if value.lower() in ("true", "on", "1", "yes") else _("no")
    if key == "q":
        return f"“{value}”"
    return value


def active_filters(query: QueryDict) -> list[Chip]:
    """Every filter value in the address, in FILTER_ORDER, with its removal link."""
    names = _names(query)
    fields = ActionItemFilterSet.base_filters
    chips = []
    for key in FILTER_ORDER:
        for value in query.getlist(key):
            if value.strip() == "" or (key == "overdue" and value.lower() in ("false", "")):
                continue
            chips.append(
                Chip(
                    key,
                    str(fields[key].label),
                    _display(key, value, names),
                    _without(query, key, value),
                )
            )
    return chips


def _either(values: list[str]) -> str:
    """ "A", "A or B", "A, B or C" in the reader's language."""
    if len(values) < 2:
        return "".join(values)
    return _("%(items)s or %(last)s") % {"items": _(", ").join(values[:-1]), "last": values[-1]}


def heading(count: int, chips: list[Chip]) -> str:
    """ "37 items owned by Turkmenistan", then the other filters by name: "· Status: Completed"."""
    countries = [chip.value for chip in chips if chip.key == "country"]
    if countries:
        text = ngettext(
            "%(count)s item owned by %(countries)s",
            "%(count)s items owned by %(countries)s",
            count,
        ) % {"count": count, "countries": _either(countries)}
    else:
        text = ngettext("%(count)s item", "%(count)s items", count) % {"count": count}
    others: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for chip in chips:
        if chip.key != "country":
            others.setdefault(chip.key, []).append(chip.value)
            labels[chip.key] = chip.label
    details = [
        _("%(filter)s: %(values)s") % {"filter": labels[key], "values": _either(values)}
        for key, values in others.items()
    ]
    return " · ".join([text, *details])


def share_line(counts: figures.ShareCounts, query: QueryDict) -> str:
    """ "5 alone or with some others, 32 shared by all 6 participants", each number a link to those
    items; empty when there is nothing to split."""
    if not counts.alone_or_some and not counts.all:
        return ""
    base = query.copy()
    base.pop("page", None)
    base.pop("share", None)

    def link(shares) -> str:
        linked = base.copy()
        linked.setlist("share", shares)
        return "?" + linked.urlencode()

    some = ngettext(
        "%(count)s alone or with some others",
        "%(count)s alone or with some others",
        counts.alone_or_some,
    ) % {"count": counts.alone_or_some}
    if counts.participants:
        everyone = ngettext(
            "%(count)s shared by all %(n)s participants",
            "%(count)s shared by all %(n)s participants",
            counts.all,
        ) % {"count": counts.all, "n": counts.participants}
    else:
        everyone = ngettext(
            "%(count)s shared by all participants",
            "%(count)s shared by all participants",
            counts.all,
        ) % {"count": counts.all}
    return format_html(
        '<a href="{}">{}</a>{}<a href="{}">{}</a>',
        link([figures.Share.ALONE, figures.Share.SOME]),
        some,
        _(", "),
        link([figures.Share.ALL]),
        everyone,
    )
