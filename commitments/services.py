"""Writes that span several rows. A status changes only through `item_set_status`, which the
admin, the importers and any future API all call, so every change leaves a dated, attributed
StatusUpdate behind it and the item always shows its newest update."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import summaries
from .choices import Kind, Status
from .dates import today
from .models import ActionItem, Country, StatusUpdate
from .roles import update_countries_for
from .status_rule import derive_status, item_level_status, owner_statuses


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
@summaries.batch()
def item_set_status(
    *,
    item: ActionItem,
    status: str,
    date: datetime.date,
    source_url: str,
    user: AbstractBaseUser | None = None,
    note_ja: str = "",
    note_en: str = "",
    country: Country | None = None,
) -> StatusUpdate:
    """Record that `item` reached `status` on `date`, as the public source at `source_url`
    shows — for the item as a whole, or with `country` for that one owner — and make the
    item show the status its updates give it (status_rule.derive_status).

    Raises ValidationError (keyed by field) for an unknown status, a date in the future or
    before the document was signed, a missing or malformed source, a country that does not
    own the item, or a second update with the same status on the same day (for the same
    owner); in that case nothing is written.
    """
    errors = status_change_errors(
        status=status, date=date, source_url=source_url, require_source=True
    )
    if errors:
        raise ValidationError(errors)

    # Lock the item so two concurrent updates cannot both compute the "newest" status. Only
    # the item (of=self): an import locks the document before the item, and locking the
    # joined document after the item would deadlock with it.
    locked = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=item.pk)
    )
    signed_on = locked.document.signed_on
    # An acknowledgement welcomes something already done, so its date may precede the text.
    if signed_on and date < signed_on and locked.kind != Kind.ACKNOWLEDGEMENT:
        raise ValidationError(
            {
                "date": [
                    _(
                        "%(date)s is before the document was signed (%(signed)s); a status "
                        "update records what happened afterwards."
                    )
                    % {"date": date.isoformat(), "signed": signed_on.isoformat()}
                ]
            }
        )
    country_id = country.pk if country is not None else None
    if user is not None:
        # Roles, here so that every path obeys them: a focal point speaks only for its own
        # countries; only editors and administrators speak for the item as a whole.
        allowed, whole_item = update_countries_for(user, locked)
        if country_id is None and not whole_item:
            raise PermissionDenied(
                _("Focal points record updates for their own country; choose it under “for owner”.")
            )
        if country_id is not None and country_id not in {c.pk for c in allowed}:
            raise PermissionDenied(
                _("You may record updates only for the countries you answer for.")
            )
    if country_id is not None and not locked.owners.filter(pk=country_id).exists():
        raise ValidationError(
            {
                "country": [
                    _("%(country)s does not own this item; an update may speak only for an owner.")
                    % {"country": country}
                ]
            }
        )
    earlier = list(locked.updates.filter(retracted_at__isnull=True))
    if any((u.date, u.status, u.country_id) == (date, status, country_id) for u in earlier):
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
        country_id=country_id,
        status=status,
        previous_status=previous_status_on(earlier, date, country_id),
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
@summaries.batch()
def update_correct(
    *,
    update: StatusUpdate,
    user: AbstractBaseUser | None,
    reason: str,
    status: str,
    date: datetime.date,
    source_url: str,
    note_ja: str = "",
    note_en: str = "",
) -> StatusUpdate:
    """Correct a recorded update (a typo, a wrong source or date). The reason is required and
    shown publicly; the audit trail keeps what was there before. The item is re-derived."""
    errors = status_change_errors(
        status=status, date=date, source_url=source_url, require_source=True
    )
    if not reason.strip():
        errors["correction_reason"] = [_("Say what was wrong, for the public record.")]
    locked = ActionItem.objects.select_for_update().get(pk=update.item_id)
    current = StatusUpdate.objects.get(pk=update.pk)
    if current.retracted_at:
        errors.setdefault("__all__", []).append(_("A retracted update cannot be corrected."))
    clash = locked.updates.filter(
        country_id=current.country_id, date=date, status=status, retracted_at__isnull=True
    ).exclude(pk=current.pk)
    if not errors and clash.exists():
        errors["status"] = [
            _("This item already has a “%(status)s” update dated %(date)s.")
            % {"status": Status(status).label, "date": date.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    current.status, current.date, current.source_url = status, date, source_url
    current.note_ja, current.note_en = note_ja, note_en
    current.note = note_ja or note_en
    current.correction_reason = reason.strip()
    current.corrected_at = timezone.now()
    if user is not None:
        current._history_user = user
    current.save()
    _sync_item_status(locked, user)
    update.refresh_from_db()
    return current


@transaction.atomic
@summaries.batch()
def update_retract(
    *, update: StatusUpdate, user: AbstractBaseUser | None, reason: str
) -> StatusUpdate:
    """Withdraw an update that should never have been recorded. It stays on the public
    timeline, marked retracted with the reason, and no longer counts for the item's status."""
    if not reason.strip():
        raise ValidationError(
            {"retraction_reason": [_("Say why the update is retracted, for the public record.")]}
        )
    locked = ActionItem.objects.select_for_update().get(pk=update.item_id)
    current = StatusUpdate.objects.get(pk=update.pk)
    if current.retracted_at:
        raise ValidationError(_("This update is already retracted."))
    current.retracted_at = timezone.now()
    current.retraction_reason = reason.strip()
    if user is not None:
        current._history_user = user
    current.save(update_fields=["retracted_at", "retraction_reason"])
    _sync_item_status(locked, user)
    update.refresh_from_db()
    return current


@transaction.atomic
@summaries.batch()
def item_refresh_status(*, item: ActionItem, user: AbstractBaseUser | None = None) -> None:
    """Make the item show its newest update again (after an administrator removed one)."""
    locked = ActionItem.objects.select_for_update().get(pk=item.pk)
    _sync_item_status(locked, user)
    item.status, item.status_date = locked.status, locked.status_date


def previous_status_on(updates, day: datetime.date, country_id: int | None = None) -> str:
    """The status on `day` before a new update of that day: for the item, or for one owner.
    A back-dated update gets the status of its own time, not today's."""
    earlier = [u for u in updates if u.date <= day]
    if country_id is None:
        return item_level_status(earlier)[0]
    return owner_statuses(earlier, [country_id])[country_id].status


def _sync_item_status(item: ActionItem, user: AbstractBaseUser | None) -> None:
    # The owners' own statuses may change even when the item's does not (a per-country
    # update that leaves the combination as it was): the summaries look at the item anyway.
    summaries.mark_changed([item.pk])
    owner_ids = list(item.owners.values_list("pk", flat=True))
    status, status_date = derive_status(list(item.updates.all()), owner_ids)
    if (item.status, item.status_date) == (status, status_date):
        return
    item.status, item.status_date = status, status_date
    if user is not None:
        item._history_user = user
    item.save(update_fields=["status", "status_date", "updated_at"])


def item_delete_refusal(item: ActionItem, user) -> str | None:
    """Why `user` may not delete `item`, or None. Its status updates are the public record:
    only an administrator may delete an item that has any."""
    from .roles import is_administrator

    if item.pk and item.updates.exists() and not (user and is_administrator(user)):
        return _(
            "%(ref)s has status updates; only an administrator may delete it (the updates are "
            "the public record; an update can be retracted instead)."
        ) % {"ref": item.ref}
    return None


@transaction.atomic
@summaries.batch()
def item_delete(*, item: ActionItem, user) -> None:
    """Delete an item and, for an administrator, its status updates (the audit trail keeps
    both, with the user who deleted them). Updates are never removed by a cascade."""
    refusal = item_delete_refusal(item, user)
    if refusal:
        raise PermissionDenied(refusal)
    for update in item.updates.all():
        if user is not None:
            update._history_user = user
        update.delete()
    if user is not None:
        item._history_user = user
    item.delete()
