"""Writes that span several rows. A status changes only through `item_set_status`, which the
admin, the importers and any future API all call, so every change leaves a dated, attributed
StatusUpdate behind it and the item always shows its newest update."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import Status
from .models import ActionItem, StatusUpdate
from .querysets import today


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
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
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
