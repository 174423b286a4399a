"""Country scorecards: what each country owns and how it stands, by its own status.

A country's status on an item is its own (status_rule, rule 1): its newest own update, or
the item's newest item-level update if that is newer, else "not yet assessed". The figures,
defined on the "About the figures" page:

* owned — items the country owns; alone or with a few (`own`), or shared by all the
  document's participants (`shared`);
* assessed — its status is anything but "not yet assessed";
* completed — completed or ongoing;
* overdue — past the due date and not completed, ongoing or dropped;
* firm — commitments and scheduled events whose strength is a decision, an intention or an
  agreement (as on the dashboard: figures.FirmCommitments); kept — completed or ongoing;
* compliance — on the G7 Research Group's scale: +1 for completed or ongoing, 0 for in
  progress or stalled, −1 for not started or dropped; items with no evidence or not assessed
  are not scored. The score is the mean over scored items, from −1 to +1.

Two or three queries per page, whatever the number of countries and items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .choices import Status
from .dates import today
from .figures import COMPLETABLE_KINDS, FIRM_STRENGTHS
from .models import ActionItem, Country, Document
from .querysets import OVERDUE_STATUSES

COMPLIANCE = {
    Status.COMPLETED: 1,
    Status.ONGOING: 1,
    Status.IN_PROGRESS: 0,
    Status.STALLED: 0,
    Status.NOT_STARTED: -1,
    Status.DROPPED: -1,
}
DONE = {Status.COMPLETED, Status.ONGOING}


@dataclass
class Scorecard:
    country: Country
    owned: int = 0
    own: int = 0
    shared: int = 0
    assessed: int = 0
    completed: int = 0
    overdue: int = 0
    firm: int = 0
    firm_completed: int = 0
    scores: list[int] = field(default_factory=list)
    by_theme: dict = field(default_factory=dict)

    @property
    def scored(self) -> int:
        return len(self.scores)

    @property
    def compliance(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 2) if self.scores else None

    @property
    def assessed_percent(self) -> int:
        return round(100 * self.assessed / self.owned) if self.owned else 0


def scorecards(countries: list[Country]) -> list[Scorecard]:
    """One scorecard per country, in the order given. Each country's own status on each item
    is read from the rows kept in step with every update (summaries.py, `OwnerStatus`); two
    or three queries, whatever the number of countries and items."""
    day = today()
    cards = {c.pk: Scorecard(c) for c in countries}
    # From the items' side, so that the theme's name comes in the reader's language.
    rows = list(
        ActionItem.objects.filter(owner_statuses__country__in=countries).values_list(
            "owner_statuses__country_id",
            "pk",
            "owner_statuses__status",
            "due_date",
            "kind",
            "strength",
            "theme__name",
            "document_id",
        )
    )
    participants: dict[int, set[int]] = defaultdict(set)
    for document_id, country_id in Document.participants.through.objects.values_list(
        "document_id", "country_id"
    ):
        participants[document_id].add(country_id)
    # Only an item of a document with participants can be shared by all of them.
    owners: dict[int, set[int]] = defaultdict(set)
    if maybe_shared := {row[1] for row in rows if row[-1] in participants}:  # its document
        for item_id, country_id in ActionItem.owners.through.objects.filter(
            actionitem_id__in=maybe_shared
        ).values_list("actionitem_id", "country_id"):
            owners[item_id].add(country_id)
    for country_id, item_id, status, due_date, kind, strength, theme_name, document_id in rows:
        card = cards[country_id]
        card.owned += 1
        everyone = participants.get(document_id)
        if everyone and everyone <= owners[item_id]:
            card.shared += 1
        else:
            card.own += 1
        if status != Status.NOT_ASSESSED:
            card.assessed += 1
        done = status in DONE
        card.completed += done
        if due_date and due_date < day and status in OVERDUE_STATUSES:
            card.overdue += 1  # the same rule as everywhere (figures.is_overdue)
        if strength in FIRM_STRENGTHS and kind in COMPLETABLE_KINDS:
            card.firm += 1
            card.firm_completed += done
        if status in COMPLIANCE:
            card.scores.append(COMPLIANCE[status])
        theme = card.by_theme.setdefault(theme_name, [0, 0])
        theme[0] += 1
        theme[1] += done
    return [cards[c.pk] for c in countries]


def participants() -> list[Country]:
    """Every country that took part in a tracked document, by code."""
    return list(Country.objects.filter(documents__isnull=False).distinct().order_by("code"))
