"""The staff pages that are not a model's list or form: the work queue, recording an update
from it ("save and next"), and correcting or retracting a recorded update.

Every write goes through the status service (services.py), with the same role checks as the
item's own page: a focal point acts only on items one of their countries owns."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import figures
from .choices import Status
from .dates import today
from .forms import CorrectUpdateForm, RecordUpdateForm, RetractUpdateForm
from .models import ActionItem, Country, OwnerStatus, StatusUpdate
from .querysets import OPEN_STATUSES
from .roles import focal_countries, update_countries_for
from .services import item_set_status, update_correct, update_retract

#: How far ahead "due soon" looks, and how long without an update counts as "quiet".
DUE_SOON_DAYS = 90
QUIET_DAYS = 365


def _object_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(_("There is no such record.")) from None


def _form_page(request, admin_site, *, title, form, item, update=None, extra=None):
    """The page of one form about an item's status: recording an update, or (given `update`)
    correcting or retracting one."""
    context = {
        **admin_site.each_context(request),
        "title": title,
        "form": form,
        "item": item,
        "update": update,
        "opts": ActionItem._meta,
        **(extra or {}),
    }
    return TemplateResponse(request, "admin/commitments/update_form.html", context)


# --- the work queue ----------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where an item stands, as the queue judges it: the item's own status, or for a focal
    point each of their countries' own status on it (OwnerStatus), since on a shared item
    the other owners' news says nothing of what their country did. It reads like an item
    to figures.py's deadline rules (`status`, `due_date`)."""

    status: str
    status_date: datetime.date | None
    due_date: datetime.date | None
    country: Country | None = None

    @property
    def label(self) -> str:
        return Status(self.status).label


def _needs_attention(day: datetime.date, *, due_date: str) -> Q:
    """Never assessed, or open and either due within DUE_SOON_DAYS or quiet for QUIET_DAYS;
    `due_date` names the due date's field from the rows filtered."""
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    quiet_since = day - datetime.timedelta(days=QUIET_DAYS)
    return (
        Q(status=Status.NOT_ASSESSED)
        | Q(status__in=OPEN_STATUSES, **{f"{due_date}__lte": soon})
        | Q(status__in=OPEN_STATUSES, status_date__lt=quiet_since)
    )


def _reasons(standing: Standing, day: datetime.date) -> list[tuple[str, str]]:
    soon = day + datetime.timedelta(days=DUE_SOON_DAYS)
    quiet_since = day - datetime.timedelta(days=QUIET_DAYS)
    due_date = standing.due_date
    reasons = []
    if figures.is_overdue(standing, day):
        since = figures.overdue_since(standing)
        reasons.append(("overdue", _("overdue since %(date)s") % {"date": since.isoformat()}))
    elif figures.is_past_due_unassessed(standing, day):
        reasons.append(("overdue", _("past due, never assessed")))
    elif due_date and due_date <= soon and standing.status in OPEN_STATUSES:
        reasons.append(("due-soon", _("due by %(date)s") % {"date": due_date.isoformat()}))
    if standing.status == Status.NOT_ASSESSED and not figures.is_past_due_unassessed(standing, day):
        reasons.append(("unassessed", _("never assessed")))
    elif standing.status_date and standing.status_date < quiet_since:
        reasons.append(("quiet", _("no update for over 12 months")))
    return reasons


def queue_items(user):
    """The items `user` should look at, most urgent first, each with the reasons why. Each
    item carries `queue_standings`, the statuses the reasons were drawn from: a focal point's
    countries' own statuses on it, or for other staff the item's status."""
    day = today()
    items = (
        ActionItem.objects.select_related("document", "theme")
        .annotate(last_recorded=Max("updates__recorded_at"))
        .prefetch_related("owners")
        .order_by("due_date", "document", "paragraph__number", "id")
    )
    countries = focal_countries(user)
    if countries is None:
        items = items.filter(_needs_attention(day, due_date="due_date"))
    else:
        own = OwnerStatus.objects.filter(country__in=countries)
        items = items.filter(
            pk__in=own.filter(_needs_attention(day, due_date="item__due_date")).values("item_id")
        ).prefetch_related(
            Prefetch(
                "owner_statuses",
                queryset=own.select_related("country").order_by("country__code"),
                to_attr="own_statuses",
            )
        )
    rows = []
    for item in items:
        if countries is None:
            item.queue_standings = [Standing(item.status, item.status_date, item.due_date)]
        else:
            item.queue_standings = [
                Standing(own.status, own.status_date, item.due_date, own.country)
                for own in item.own_statuses
            ]
        reasons = []
        for standing in item.queue_standings:
            reasons += [reason for reason in _reasons(standing, day) if reason not in reasons]
        if reasons:
            rows.append((item, reasons))
    order = {"overdue": 0, "due-soon": 1, "quiet": 2, "unassessed": 3}
    rows.sort(key=lambda row: min(order[code] for code, _text in row[1]))
    return rows


def queue_view(request, admin_site):
    rows = queue_items(request.user)
    context = {
        **admin_site.each_context(request),
        "title": _("Your work queue"),
        "rows": rows,
        "due_soon_days": DUE_SOON_DAYS,
        "opts": ActionItem._meta,
    }
    return TemplateResponse(request, "admin/commitments/queue.html", context)


def next_in_queue(user, after: ActionItem) -> ActionItem | None:
    items = [item for item, _reasons in queue_items(user)]
    ids = [item.pk for item in items]
    if after.pk in ids:
        position = ids.index(after.pk) + 1
        return items[position] if position < len(items) else None
    return items[0] if items else None


# --- recording an update from the queue --------------------------------------------------


def record_update_view(request, admin_site, object_id):
    item = get_object_or_404(
        ActionItem.objects.select_related("document"), pk=_object_id(object_id)
    )
    countries, whole_item = update_countries_for(request.user, item)
    if not countries and not whole_item:
        raise PermissionDenied(
            _("You may record updates only on items that one of your countries owns.")
        )
    form = RecordUpdateForm(request.POST or None, countries=countries, whole_item=whole_item)
    if request.method == "POST" and form.is_valid():
        # The next item is the one after this in the queue as it stood before the save: an
        # update that takes this item off the queue must not send the person back to the top.
        following = next_in_queue(request.user, item) if "_next" in request.POST else None
        try:
            item_set_status(item=item, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request,
                _("%(ref)s: “%(status)s” recorded with its source.")
                % {"ref": item.ref, "status": Status(form.cleaned_data["status"]).label},
            )
            if "_next" in request.POST:
                if following is not None:
                    return HttpResponseRedirect(
                        reverse("admin:commitments_actionitem_record_update", args=[following.pk])
                    )
                messages.info(request, _("That was the last item in your queue."))
            return HttpResponseRedirect(reverse("admin:commitments_queue"))
    updates = item.updates.select_related("country").order_by("-date", "-recorded_at")[:5]
    return _form_page(
        request,
        admin_site,
        title=_("Record a status update"),
        form=form,
        item=item,
        extra={"recent_updates": updates},
    )


# --- correcting and retracting -----------------------------------------------------------


def _update_for(request, object_id) -> StatusUpdate:
    update = get_object_or_404(
        StatusUpdate.objects.select_related("item__document").fixable_by(request.user),
        pk=_object_id(object_id),
    )
    # Whoever may record an update for that owner (or the whole item) may correct it; the
    # item's page offers the links by the same rule (roles.fixable_updates).
    if not update.fixable:
        raise PermissionDenied(_("You may correct only updates for the countries you answer for."))
    if update.retracted_at:
        raise PermissionDenied(_("This update was retracted; it can no longer be changed."))
    return update


def correct_view(request, admin_site, object_id):
    update = _update_for(request, object_id)
    initial = {
        "status": update.status,
        "date": update.date,
        "source_url": update.source_url,
        "note_ja": update.note_ja,
        "note_en": update.note_en,
    }
    form = CorrectUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("correction_reason")
        try:
            update_correct(update=update, user=request.user, reason=reason, **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The update was corrected; the public timeline says so."))
            return HttpResponseRedirect(
                reverse("admin:commitments_actionitem_change", args=[update.item_id])
            )
    return _form_page(
        request,
        admin_site,
        title=_("Correct a status update"),
        form=form,
        item=update.item,
        update=update,
    )


def retract_view(request, admin_site, object_id):
    update = _update_for(request, object_id)
    form = RetractUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            update_retract(
                update=update, user=request.user, reason=form.cleaned_data["retraction_reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _(
                    "The update was retracted; it stays on the public timeline, marked as retracted."
                ),
            )
            return HttpResponseRedirect(
                reverse("admin:commitments_actionitem_change", args=[update.item_id])
            )
    return _form_page(
        request,
        admin_site,
        title=_("Retract a status update"),
        form=form,
        item=update.item,
        update=update,
    )
