"""Country scorecards: what each country owns and how it stands, by its own status.

A country's status on an item is its own (status_rule, rule 1): its newest own update, or
the item's newest item-level update if that is newer, else "not yet assessed". The figures,
defined on the "About the figures" page:

* owned — items the country owns; alone or with a few (`own`), or shared by all the
  document's participants (`shared`);
* assessed — its status is anything but "not yet assessed";
* completed — completed or ongoing;
* overdue — past the due date and not completed, ongoing or dropped;
* firm — items whose strength is a decision, an intention or an agreement;
* compliance — on the G7 Research Group's scale: +1 for completed or ongoing, 0 for in
  progress or stalled, −1 for not started or dropped; items with no evidence or not assessed
  are not scored. The score is the mean over scored items, from −1 to +1.

Two grouped queries per page, whatever the number of items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .choices import Status, Strength
from .models import ActionItem, Country, Document, StatusUpdate
from .querysets import today

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


def own_statuses(countries: list[Country], item_ids) -> dict[tuple[int, int], str]:
    """Each country's own status on each item where it has an own update that is newer than
    the item's newest item-level update, keyed by (country id, item id). Two queries."""
    own: dict[tuple[int, int], tuple] = {}
    for country_id, item_id, status, date, recorded in (
        StatusUpdate.objects.filter(
            item_id__in=item_ids, country__in=countries, retracted_at__isnull=True
        )
        .order_by("date", "recorded_at", "pk")
        .values_list("country_id", "item_id", "status", "date", "recorded_at")
    ):
        own[(country_id, item_id)] = (date, recorded, status)
    if not own:
        return {}
    item_level: dict[int, tuple] = {}
    for item_id, status, date, recorded in (
        StatusUpdate.objects.filter(
            item_id__in={item_id for _c, item_id in own}, country=None, retracted_at__isnull=True
        )
        .order_by("date", "recorded_at", "pk")
        .values_list("item_id", "status", "date", "recorded_at")
    ):
        item_level[item_id] = (date, recorded, status)
    return {
        key: value[2]
        for key, value in own.items()
        if key[1] not in item_level or value[:2] >= item_level[key[1]][:2]
    }


def scorecards(countries: list[Country]) -> list[Scorecard]:
    """One scorecard per country, in the order given."""
    day = today()
    cards = {c.pk: Scorecard(c) for c in countries}
    links = ActionItem.owners.through.objects.filter(country__in=countries).values_list(
        "country_id", "actionitem_id"
    )
    by_country: dict[int, list[int]] = defaultdict(list)
    for country_id, item_id in links:
        by_country[country_id].append(item_id)
    all_ids = {i for ids in by_country.values() for i in ids}
    items = {
        row["pk"]: row
        for row in ActionItem.objects.filter(pk__in=all_ids).values(
            "pk", "status", "due_date", "strength", "theme__name", "document_id"
        )
    }
    owners: dict[int, set[int]] = defaultdict(set)
    for item_id, country_id in ActionItem.owners.through.objects.filter(
        actionitem_id__in=all_ids
    ).values_list("actionitem_id", "country_id"):
        owners[item_id].add(country_id)
    participants: dict[int, set[int]] = defaultdict(set)
    for document_id, country_id in Document.participants.through.objects.values_list(
        "document_id", "country_id"
    ):
        participants[document_id].add(country_id)
    firm = {s.value for s in Strength.firm()}
    own = own_statuses(countries, all_ids)
    for country in countries:
        card = cards[country.pk]
        for item_id in by_country.get(country.pk, []):
            row = items[item_id]
            status = own.get((country.pk, item_id), row["status"])
            card.owned += 1
            everyone = participants.get(row["document_id"])
            if everyone and everyone <= owners[item_id]:
                card.shared += 1
            else:
                card.own += 1
            if status != Status.NOT_ASSESSED:
                card.assessed += 1
            done = status in DONE
            card.completed += done
            if row["due_date"] and row["due_date"] < day and not Status(status).is_closed:
                card.overdue += 1
            if row["strength"] in firm:
                card.firm += 1
                card.firm_completed += done
            if status in COMPLIANCE:
                card.scores.append(COMPLIANCE[status])
            theme = card.by_theme.setdefault(row["theme__name"], [0, 0])
            theme[0] += 1
            theme[1] += done
    return [cards[c.pk] for c in countries]


def participants() -> list[Country]:
    """Every country that took part in a tracked document, by code."""
    return list(Country.objects.filter(documents__isnull=False).distinct().order_by("code"))
