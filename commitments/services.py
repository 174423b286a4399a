"""Writes that span several rows. A status changes only through `item_set_status`, which the
admin, the importers and any future API all call, so every change leaves a dated, attributed
StatusUpdate behind it and the item always shows its newest update."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Status
from .models import ActionItem, StatusUpdate
from .querysets import today


@lru_cache(maxsize=4096)
def _is_web_address(url: str) -> bool:
    """Cached: an import repeats the same few sources thousands of times."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


def status_change_errors(
    *, status: str, date, source_url: str = "", require_source: bool = False
) -> dict[str, list[str]]:
    """What is wrong with a proposed status change, by field; empty when it may be recorded.

    Shared by the service and the forms that collect a change, so they refuse the same things."""
    errors: dict[str, list[str]] = {}
    if status not in Status.values:
        errors["status"] = [_("“%(status)s” is not a known status.") % {"status": status}]
    if not isinstance(date, datetime.date):
        errors["date"] = [_("Enter the date the change happened.")]
    elif date > today():
        errors["date"] = [
            _("A status update records what has happened: the date cannot be in the future.")
        ]
    if source_url:
        if not _is_web_address(source_url):
            errors["source_url"] = [
                _("Enter a full web address starting with http:// or https://.")
            ]
    elif require_source and status != Status.NOT_ASSESSED:
        errors["source_url"] = [_("Give the public source that shows this status.")]
    return errors


@transaction.atomic
def item_set_status(
    *,
    item: ActionItem,
    status: str,
    date: datetime.date,
    user: AbstractBaseUser | None = None,
    note_ja: str = "",
    note_en: str = "",
    source_url: str = "",
) -> StatusUpdate:
    """Record that `item` reached `status` on `date`, and make the item show its newest update.

    Raises ValidationError (keyed by field) for an unknown status, a date in the future, a
    malformed source URL or a second update with the same status on the same day; in that
    case nothing is written.
    """
    errors = status_change_errors(status=status, date=date, source_url=source_url)
    if errors:
        raise ValidationError(errors)

    # Lock the item so two concurrent updates cannot both compute the "newest" status.
    locked = ActionItem.objects.select_for_update().get(pk=item.pk)
    if StatusUpdate.objects.filter(item=locked, date=date, status=status).exists():
        raise ValidationError(
            {
                "status": [
                    _("This item already has a “%(status)s” update dated %(date)s.")
                    % {"status": Status(status).label, "date": date.isoformat()}
                ]
            }
        )
    update = StatusUpdate.objects.create(
        item=locked,
        status=status,
        previous_status=locked.status,
        date=date,
        note_ja=note_ja,
        note_en=note_en,
        source_url=source_url,
        recorded_by=user,
    )
    _sync_item_status(locked, user)
    item.status, item.status_date = locked.status, locked.status_date
    return update


@transaction.atomic
def item_refresh_status(*, item: ActionItem, user: AbstractBaseUser | None = None) -> None:
    """Make the item show its newest update again (after an administrator removed one)."""
    locked = ActionItem.objects.select_for_update().get(pk=item.pk)
    _sync_item_status(locked, user)
    item.status, item.status_date = locked.status, locked.status_date


def _sync_item_status(item: ActionItem, user: AbstractBaseUser | None) -> None:
    newest = item.updates.order_by("-date", "-recorded_at", "-pk").first()
    status = newest.status if newest else Status.NOT_ASSESSED
    status_date = newest.date if newest else None
    if (item.status, item.status_date) == (status, status_date):
        return
    item.status, item.status_date = status, status_date
    if user is not None:
        item._history_user = user
    item.save(update_fields=["status", "status_date", "updated_at"])


@dataclass
class StatusChange:
    """One status to record on an item (the bulk form of item_set_status's arguments)."""

    item: ActionItem
    status: str
    date: datetime.date
    note_ja: str = ""
    note_en: str = ""
    source_url: str = ""


def plan_status_changes(
    changes: list[StatusChange], *, user: AbstractBaseUser | None = None
) -> list[StatusUpdate]:
    """Check many status changes and apply them to the items in memory, in order, by the same
    rules as item_set_status; return the unsaved StatusUpdate rows. Writes nothing.

    Raises ValidationError if any change is invalid or would repeat an existing update."""
    errors = []
    for change in changes:
        problems = status_change_errors(
            status=change.status, date=change.date, source_url=change.source_url
        )
        errors.extend(f"{change.item.ref}: {m}" for ms in problems.values() for m in ms)
    keys = [(id(c.item), c.date, c.status) for c in changes]
    if len(set(keys)) != len(keys):
        errors.append(_("The same status is recorded twice on one day for one item."))
    saved = {c.item.pk for c in changes if c.item.pk}
    existing = set(
        StatusUpdate.objects.filter(item_id__in=saved).values_list("item_id", "date", "status")
    )
    errors.extend(
        _("%(ref)s already has a “%(status)s” update dated %(date)s.")
        % {"ref": c.item.ref, "status": c.status, "date": c.date.isoformat()}
        for c in changes
        if (c.item.pk, c.date, c.status) in existing
    )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    updates = []
    for change in changes:
        item = change.item
        updates.append(
            StatusUpdate(
                item=item,
                status=change.status,
                previous_status=item.status,
                date=change.date,
                note=change.note_ja or change.note_en,
                note_ja=change.note_ja,
                note_en=change.note_en,
                source_url=change.source_url,
                recorded_by=user,
                recorded_at=now,
            )
        )
        # The newest update by date wins; a later-recorded one wins a tie (as _sync_item_status).
        if item.status_date is None or change.date >= item.status_date:
            item.status, item.status_date = change.status, change.date
    return updates


def save_status_updates(
    updates: list[StatusUpdate], *, user: AbstractBaseUser | None = None
) -> None:
    """Write planned updates (their items already saved) with their audit records."""
    created = StatusUpdate.objects.bulk_create(updates, batch_size=1000)
    StatusUpdate.history.bulk_history_create(created, batch_size=1000, default_user=user)
