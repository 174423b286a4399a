"""Named reads: each page asks one of these methods, which owns its joins and aggregates."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Count, Q

from .choices import Status
from .dates import today

#: Statuses under which an item is still open (not completed, ongoing or dropped).
OPEN_STATUSES = [status.value for status in Status.display_order() if not status.is_closed]
#: Statuses under which an item past its due date is overdue: the open ones less "not yet
#: assessed" (an unassessed item is "past due — not yet assessed": figures.py).
OVERDUE_STATUSES = [status for status in OPEN_STATUSES if status != Status.NOT_ASSESSED]


class ActionItemQuerySet(models.QuerySet):
    def with_related(self) -> ActionItemQuerySet:
        """Everything a row of a list shows, in a fixed number of queries."""
        return self.select_related("document", "paragraph", "theme").prefetch_related("owners")

    def first_rows(self, limit: int) -> ActionItemQuerySet:
        """The first `limit` of these items, in this queryset's order, with everything a row
        shows. They are picked from the items table alone, and only they are joined: joined
        first, SQLite walked the (theme, status, due_date) index theme by theme and sorted
        every match (170 ms for the dashboard's overdue list at 100,000 items, against 1 ms)."""
        picked = self.values("pk")[:limit]
        ordering = self.query.order_by or self.model._meta.ordering
        return self.model._default_manager.filter(pk__in=picked).with_related().order_by(*ordering)

    def in_text_order(self) -> ActionItemQuerySet:
        """Documents, then paragraphs, then items as they were entered: the text's own order.
        Item-local columns, so an index (item_list_order_idx) serves a first page without
        sorting every item (paragraphs are created in numbering order)."""
        return self.order_by("document_id", "paragraph_id", "pk")

    def overdue(self, on: datetime.date | None = None) -> ActionItemQuerySet:
        """Items whose due date has passed, which were assessed, and which are not completed,
        ongoing or dropped (figures.is_overdue).

        Written as `status IN (the open statuses)` rather than `NOT IN (the closed ones)`: the
        index on (status, due_date) then counts one range per open status without reading a
        row (1–2 ms at 100,000 items on SQLite, against 24 ms for the NOT IN form)."""
        return self.filter(status__in=OVERDUE_STATUSES, due_date__lt=on or today())

    def past_due_unassessed(self, on: datetime.date | None = None) -> ActionItemQuerySet:
        """Items whose due date has passed and which nobody has assessed yet."""
        return self.filter(status=Status.NOT_ASSESSED, due_date__lt=on or today())

    def not_overdue(self, on: datetime.date | None = None) -> ActionItemQuerySet:
        return self.exclude(pk__in=self.overdue(on).values("pk"))

    def upcoming(self, on: datetime.date | None = None) -> ActionItemQuerySet:
        """Open items due today or later, soonest first."""
        return self.filter(status__in=OPEN_STATUSES, due_date__gte=on or today()).order_by(
            "due_date", "ref"
        )

    def completed_late(self) -> ActionItemQuerySet:
        return self.filter(
            status=Status.COMPLETED, due_date__isnull=False, status_date__gt=models.F("due_date")
        )

    def owned_by(self, countries) -> ActionItemQuerySet:
        """Items owned by any of `countries` (instances, ids or a queryset of them), each
        once: an item two of them own is not listed twice, and no DISTINCT is needed."""
        return self.filter(pk__in=_items_owned_by(countries))

    def status_counts(self) -> dict[str, int]:
        """How many items are in each status, plus the total, in one aggregate query."""
        return self.order_by().aggregate(**status_count_expressions(), total=Count("pk"))


def status_count_expressions(status_lookup: str = "status") -> dict[str, Count]:
    """One filtered COUNT per status, named by the status: for aggregate() or, grouped, for
    annotate(). `status_lookup` reaches the item's status from another model."""
    return {status.value: Count("pk", filter=Q(**{status_lookup: status})) for status in Status}


def _items_owned_by(countries):
    """The ids of the items any of `countries` owns, as a subquery of the ownership table:
    what "owned by" means for items and for their status updates alike."""
    from .models import ActionItem

    return ActionItem.owners.through.objects.filter(country__in=countries).values("actionitem_id")


def countries_owning_items():
    """Countries that own at least one item, for the country menus (a semi-join, not a
    DISTINCT over every ownership row)."""
    from .models import ActionItem, Country

    owned = ActionItem.owners.through.objects.filter(country_id=models.OuterRef("pk"))
    return Country.objects.filter(models.Exists(owned))


class StatusUpdateQuerySet(models.QuerySet):
    def newest_first(self) -> StatusUpdateQuerySet:
        return self.order_by("-date", "-recorded_at", "-pk")

    def owned_by(self, countries) -> StatusUpdateQuerySet:
        """The updates on items any of `countries` owns that speak for the whole item or for
        one of those countries (see `speaking_for`)."""
        return self.filter(item_id__in=_items_owned_by(countries)).speaking_for(countries)

    def speaking_for(self, countries) -> StatusUpdateQuerySet:
        """Updates for the whole item or for one of `countries`, never another owner's own:
        China's ratification is not news about the United States."""
        return self.filter(Q(country__isnull=True) | Q(country__in=countries))

    def fixable_by(self, user) -> StatusUpdateQuerySet:
        """Each update with `fixable`: whether `user` may correct or retract it (roles.py)."""
        from .roles import fixable_updates

        return self.annotate(
            fixable=models.Case(
                models.When(fixable_updates(user), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )

    def with_item(self) -> StatusUpdateQuerySet:
        return self.select_related("item", "item__document", "item__theme", "recorded_by")

    def newest(self, limit: int) -> StatusUpdateQuerySet:
        """The `limit` newest of these updates, newest first, with their items. The newest are
        picked first, by the index on (date, recorded_at), and only they are joined: joined
        first, SQLite sorted every update (50 ms at 10,000 items, against 1 ms)."""
        picked = self.order_by("-date", "-recorded_at", "-pk").values("pk")[:limit]
        return self.model._default_manager.filter(pk__in=picked).with_item().newest_first()
