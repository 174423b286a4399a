"""How an item's status follows from its updates, when each owner may have its own.

An update either speaks for the item as a whole (no country) or for one owner country. The
rule, shown to readers on the "About the figures" page:

1. **Each owner's status** is the newest standing (not retracted) update that speaks for it:
   its own updates and the item-level ones alike, newest by date (then by when recorded). An
   owner nothing speaks for is "not yet assessed".
2. **The item's status** is the owners' statuses combined:
   - all owners share one status → that status;
   - every owner completed or ongoing → ongoing (the work goes on somewhere);
   - any owner completed, ongoing or in progress → in progress (some have acted);
   - otherwise any stalled → stalled; any not started → not started;
   - otherwise (only no evidence, dropped, not assessed) → no evidence if any, else dropped.
   Its date is the newest date among the owners' statuses.
3. An item with no per-country update shows its newest item-level update, as before: the
   combination of identical statuses is that status.

Only this module decides; the status service, the importers and the pages all call it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .choices import Status


@dataclass(frozen=True)
class OwnerStatus:
    country_id: int
    status: str
    date: datetime.date | None
    #: True when the owner's own update decides, False when an item-level one does.
    own: bool


def order(update) -> tuple:
    """Newest last: by date, then by when recorded (an unsaved update is the newest)."""
    recorded = update.recorded_at or timezone.now()
    return (update.date, recorded, update.pk or float("inf"))


def _standing(updates):
    return [u for u in updates if u.retracted_at is None]


def item_level_status(updates) -> tuple[str, datetime.date | None]:
    standing = [u for u in _standing(updates) if u.country_id is None]
    if not standing:
        return Status.NOT_ASSESSED, None
    newest = max(standing, key=order)
    return newest.status, newest.date


def owner_statuses(updates, owner_ids) -> dict[int, OwnerStatus]:
    """Each owner's status by rule 1, keyed by country id, in the order of `owner_ids`."""
    standing = _standing(updates)
    item_level = [u for u in standing if u.country_id is None]
    newest_item = max(item_level, key=order) if item_level else None
    result = {}
    for country_id in owner_ids:
        own = [u for u in standing if u.country_id == country_id]
        newest_own = max(own, key=order) if own else None
        if newest_own and (newest_item is None or order(newest_own) >= order(newest_item)):
            result[country_id] = OwnerStatus(country_id, newest_own.status, newest_own.date, True)
        elif newest_item:
            result[country_id] = OwnerStatus(
                country_id, newest_item.status, newest_item.date, False
            )
        else:
            result[country_id] = OwnerStatus(country_id, Status.NOT_ASSESSED, None, False)
    return result


def combine(statuses: list[str]) -> str:
    """Rule 2: the item's status from its owners' statuses."""
    kinds = set(statuses)
    if not kinds:
        return Status.NOT_ASSESSED
    if len(kinds) == 1:
        return statuses[0]
    if kinds <= {Status.COMPLETED, Status.ONGOING}:
        return Status.ONGOING
    if kinds & {Status.COMPLETED, Status.ONGOING, Status.IN_PROGRESS}:
        return Status.IN_PROGRESS
    if Status.STALLED in kinds:
        return Status.STALLED
    if Status.NOT_STARTED in kinds:
        return Status.NOT_STARTED
    if Status.NO_EVIDENCE in kinds:
        return Status.NO_EVIDENCE
    return Status.DROPPED


def derive_status(updates, owner_ids=None) -> tuple[str, datetime.date | None]:
    """The status and date an item shows (rules 1–3)."""
    updates = list(updates)
    per_country = any(u.country_id is not None for u in _standing(updates))
    if owner_ids is None or not per_country:
        return item_level_status(updates)
    owners = owner_statuses(updates, list(owner_ids))
    if not owners:
        return item_level_status(updates)
    status = combine([o.status for o in owners.values()])
    dates = [o.date for o in owners.values() if o.date]
    return status, (max(dates) if dates else None)


def speaks_per_country(updates) -> bool:
    """True when a standing update speaks for one owner: then the owners' own statuses are
    shown beside the item's."""
    return any(u.country_id is not None for u in _standing(updates))


def group_by_status(owners_with_status) -> list[tuple[str, list]]:
    """[(status, [countries…]), …] for display, firmest status first, from (country, status)
    pairs; the countries stay in the order given."""
    groups: dict[str, list] = {}
    for country, status in owners_with_status:
        groups.setdefault(status, []).append(country)
    rank = {status: i for i, status in enumerate(Status.display_order())}
    return sorted(groups.items(), key=lambda pair: rank.get(pair[0], 99))


def breakdown(updates, owners) -> list[tuple[str, list]]:
    """Each owner's status by rule 1, grouped (group_by_status); `owners` are Country
    objects. Empty when no owner has its own update (the item's status says it all)."""
    updates = list(updates)
    if not speaks_per_country(updates):
        return []
    by_owner = owner_statuses(updates, [c.pk for c in owners])
    return group_by_status((country, by_owner[country.pk].status) for country in owners)
