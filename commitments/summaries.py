"""Summary counts kept in step with the data, in the same transaction as every change.

The dashboard, document, theme and country pages show how many items are in each status: per
theme and per document by the item's status, per owner country (and per theme and owner
country) by the country's own status (status_rule, rule 1). Counted over 100,000 items on
every uncached render they took most of a second; they are kept in three tables instead
(models.py):

* `OwnerStatus`: one row per (item, owner): the owner's own status and date, and whether its
  own update decides. Country counts, scorecards and the country page read it.
* `CountedItem`: one row per item: its theme, document, kind, status, due month and strength
  as counted.
* `StatusCount`: the counts, per (scope, key, key2, kind, status); the kind is there for the
  completion rates, which count only some kinds (figures.py).

**How they stay right.** `refresh(item_ids)` derives those items' rows again from their
current owners and updates, compares them with what is counted (OwnerStatus and CountedItem
say exactly what each item added), and applies the difference to the counts with one
INSERT … ON CONFLICT DO UPDATE. It is idempotent: refreshing an unchanged item changes
nothing, so calling it too often costs time, never a wrong figure. It is reached by:

* signals (`connect`): every save or delete of an item or a status update (raw saves from
  fixtures included), every change of an item's owners. The admin's item, owner and delete
  paths need nothing more.
* `batch()`: inside it signals only collect item ids; the block refreshes each once at its
  end, still inside the caller's transaction. The status services, loaddata and
  load_initial_data use it.
* `refresh()` called directly by bulk writes, which send no signals (the CSV import).
* `rebuild_after()`: signals are ignored and everything is rebuilt from scratch at the end of
  the block (seed_synthetic, which writes 100,000 items in bulk).

An item's contribution is taken off (`forget`) just before the item is deleted, and a
country's just before the country is: the cascade then removes the rows that say what to
take off.

**Concurrency.** On PostgreSQL `refresh` first locks the items' rows (in id order), so two
transactions refreshing one item take turns and the second reads what the first committed;
count rows are written in key order, so two writers never wait for each other crosswise.
SQLite serialises writers itself (transaction_mode IMMEDIATE).

**Overdue and upcoming** change with the day. The overdue counts come from the items counted
by month of their due date (scope DUE_MONTH): every month before this one is wholly past, and
only this month's first days are counted from the items (progress.deadline_counts); so they
stay right at midnight without any write. The lists of the next and most overdue deadlines
are indexed queries on the items.

**Strength.** The items are counted by the strength of their verb too (scope STRENGTH, key
the strength's rank: 0 for a decision), by item status and kind, for the dashboard's firm
commitments kept (figures.FirmCommitments); an item without a strength is not counted there.
The key is the strength's place in `Strength`: reordering it needs a rebuild (a migration that
calls `rebuild`).

`drift()` compares every kept row with a recount from scratch; `rebuild()` replaces them all
(`python manage.py recompute_summaries [--check]`).
"""

from __future__ import annotations

import contextvars
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from types import SimpleNamespace
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils.translation import gettext as _

from .choices import Strength
from .status_rule import owner_statuses

THEME, DOCUMENT, COUNTRY, THEME_COUNTRY = "theme", "document", "country", "theme_country"
#: Items by the month of their due date (key YYYYMM): what is overdue today is every month
#: before this one plus a few days of this one (progress.deadline_counts).
DUE_MONTH = "due_month"
#: Items by the strength of their verb (key: Strength.rank), by status and kind.
STRENGTH = "strength"
CHUNK = 2000
#: More count rows to change than this, on PostgreSQL, go through COPY (summaries._apply).
BULK_DELTAS = 1000
#: Item fields whose change can change the counts; a save naming none of them is skipped.
COUNTED_FIELDS = frozenset(
    {"status", "theme", "document", "paragraph", "kind", "due_date", "strength"}
)
#: What a CountedItem row holds of its item, in the order of the tuples below.
COUNTED_COLUMNS = ("theme_key", "document_key", "kind", "status", "due_month", "strength")
_STRENGTH_KEYS = {strength.value: strength.rank for strength in Strength}

_ALL = object()  # rebuild_after(): ignore the signals, rebuild at the end
_pending: contextvars.ContextVar = contextvars.ContextVar("summaries_pending", default=None)


class _Update(NamedTuple):
    """The fields of a status update the rule reads (status_rule.order and owner_statuses)."""

    pk: int
    country_id: int | None
    status: str
    date: datetime.date
    recorded_at: datetime.datetime | None
    retracted_at: None = None


def _models(registry=None) -> SimpleNamespace:
    """The models, from the app registry or (in a migration) from the historical one."""
    if registry is None:
        from django.apps import apps as registry
    get = registry.get_model
    item = get("commitments", "ActionItem")
    return SimpleNamespace(
        item=item,
        owners=item._meta.get_field("owners").remote_field.through,
        update=get("commitments", "StatusUpdate"),
        owner_status=get("commitments", "OwnerStatus"),
        counted=get("commitments", "CountedItem"),
        count=get("commitments", "StatusCount"),
    )


# --- keeping them in step ------------------------------------------------------------------


@contextmanager
def batch():
    """Refresh the items that change inside the block once, at its end (inside the caller's
    transaction: use it inside `transaction.atomic`). Nested blocks join the outermost.
    Usable as a decorator: `@transaction.atomic` above `@summaries.batch()`."""
    if _pending.get() is not None:
        yield
        return
    pending: set[int] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    # Only after the block succeeded: on an error the caller's transaction is rolled back.
    refresh(pending)


@contextmanager
def rebuild_after(using: str = DEFAULT_DB_ALIAS):
    """Ignore item changes inside the block and rebuild everything from scratch at its end:
    for bulk loads that rewrite most of the data anyway."""
    token = _pending.set(_ALL)
    try:
        yield
    finally:
        _pending.reset(token)
    rebuild(using=using)


def mark_changed(item_ids: Iterable[int]) -> None:
    """These items may count differently now: refresh them at the end of the current batch,
    or at once outside one."""
    pending = _pending.get()
    if pending is _ALL:
        return
    if pending is not None:
        pending.update(pk for pk in item_ids if pk is not None)
        return
    refresh(item_ids)


def refresh(item_ids: Iterable[int], using: str = DEFAULT_DB_ALIAS) -> None:
    """Bring the kept rows of these items (and the counts) in line with the items as they are
    now; items that no longer exist are taken off."""
    ids = sorted({pk for pk in item_ids if pk is not None})
    if not ids:
        return
    m = _models()
    changes = _Changes()
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(ids), CHUNK):
            _refresh_chunk(m, ids[start : start + CHUNK], using, changes)
        changes.write(m, using)


def _refresh_chunk(m, ids: list[int], using: str, changes: _Changes) -> None:
    items = m.item.objects.using(using).filter(pk__in=ids).order_by("pk")
    if connections[using].features.has_select_for_update:
        # Serialise refreshes of one item: the second reads what the first committed.
        items = items.select_for_update(of=("self",))
    old_items, new_items = {}, {}
    for pk, theme, document, kind, status, due_date, strength, *counted in items.values_list(
        "pk",
        "theme_id",
        "document_id",
        "kind",
        "status",
        "due_date",
        "strength",
        *(f"counted__{column}" for column in COUNTED_COLUMNS),
    ):
        new_items[pk] = (theme, document, kind, status, month_key(due_date), strength)
        if counted[3] is not None:
            old_items[pk] = tuple(counted)
    # Only a counted item has owner rows (both are written together): new items have none,
    # and an import of new items need not look.
    old_owners = {}
    if old_items:
        rows = m.owner_status.objects.using(using).filter(item_id__in=list(old_items))
        for item_id, country_id, status, date, own in rows.values_list(
            "item_id", "country_id", "status", "status_date", "own"
        ):
            old_owners[(item_id, country_id)] = (status, date, own)
    new_owners = _derive_owners(m, using, new_items, item_id__in=ids)
    _write(m, using, ids, old_items, new_items, old_owners, new_owners, changes)


def _derive_owners(m, using: str, items: dict, **item_filter) -> dict:
    """Each (item, owner)'s (status, date, own) by status_rule, for the items in `items`."""
    owners: dict[int, list[int]] = defaultdict(list)
    link_filter = {key.replace("item_id", "actionitem_id"): v for key, v in item_filter.items()}
    for item_id, country_id in (
        m.owners.objects.using(using)
        .filter(**link_filter)
        .values_list("actionitem_id", "country_id")
    ):
        owners[item_id].append(country_id)
    updates: dict[int, list[_Update]] = defaultdict(list)
    for item_id, *fields in (
        m.update.objects.using(using)
        .filter(retracted_at__isnull=True, **item_filter)
        .values_list("item_id", "pk", "country_id", "status", "date", "recorded_at")
    ):
        updates[item_id].append(_Update(*fields))
    derived = {}
    for item_id, countries in owners.items():
        if item_id not in items:
            continue
        for country_id, own in owner_statuses(updates.get(item_id, []), countries).items():
            derived[(item_id, country_id)] = (own.status, own.date, own.own)
    return derived


def month_key(day: datetime.date | None) -> int:
    """YYYYMM, or 0 for no date."""
    return day.year * 100 + day.month if day else 0


def strength_key(strength: str) -> int | None:
    """The key of a strength's counts (its rank: 0 for a decision), or None for no strength."""
    return _STRENGTH_KEYS.get(strength)


def _contributions(items: dict, owners: dict, sign: int, into: Counter) -> None:
    """Add (or, with sign -1, take off) what these items (item id: (theme, document, kind,
    status, due month, strength)) and owner rows count for, keyed (scope, key, key2, kind,
    status)."""
    for theme, document, kind, status, due_month, strength in items.values():
        into[(THEME, theme, 0, kind, status)] += sign
        into[(DOCUMENT, document, 0, kind, status)] += sign
        if due_month:  # by status only: the deadline counts do not look at the kind
            into[(DUE_MONTH, due_month, 0, "", status)] += sign
        if (rank := strength_key(strength)) is not None:
            into[(STRENGTH, rank, 0, kind, status)] += sign
    for (item_id, country_id), (status, _date, _own) in owners.items():
        if item_id in items:  # always, unless the rows have drifted (drift() says so)
            theme, _document, kind, *_rest = items[item_id]
            into[(COUNTRY, country_id, 0, kind, status)] += sign
            into[(THEME_COUNTRY, theme, country_id, kind, status)] += sign


class _Changes:
    """What a refresh changes, gathered over its chunks and written at the end: the deltas of
    the counts and the kept rows to insert (the old ones are deleted chunk by chunk)."""

    def __init__(self):
        self.deltas: Counter = Counter()
        self.counted: list[tuple] = []
        self.owners: list[tuple] = []

    def write(self, m, using: str) -> None:
        connection = connections[using]
        _insert(connection, m.counted, ["item_id", *COUNTED_COLUMNS], self.counted)
        _insert(
            connection,
            m.owner_status,
            ["item_id", "country_id", "status", "status_date", "own"],
            self.owners,
        )
        _apply(m, using, self.deltas)


def _write(m, using, ids, old_items, new_items, old_owners, new_owners, changes: _Changes):
    """Add to `changes` what changes in the counts and the kept rows of the items that
    changed, and delete their old kept rows."""
    _contributions(old_items, old_owners, -1, changes.deltas)
    _contributions(new_items, new_owners, +1, changes.deltas)
    changed_items = [pk for pk in ids if old_items.get(pk) != new_items.get(pk)]
    if changed_items:
        m.counted.objects.using(using).filter(item_id__in=changed_items).delete()
        changes.counted += [(pk, *new_items[pk]) for pk in changed_items if pk in new_items]
    old_by_item, new_by_item = _by_item(old_owners), _by_item(new_owners)
    changed_owners = [pk for pk in ids if old_by_item.get(pk) != new_by_item.get(pk)]
    if changed_owners:
        m.owner_status.objects.using(using).filter(item_id__in=changed_owners).delete()
        changes.owners += [
            (*key, *values)
            for pk in changed_owners
            for key, values in new_by_item.get(pk, {}).items()
        ]


def _by_item(owners: dict) -> dict[int, dict]:
    grouped: dict[int, dict] = defaultdict(dict)
    for key, value in owners.items():
        grouped[key[0]][key] = value
    return grouped


class SummaryDrift(IntegrityError):
    """The kept counts no longer match the data (a count would go below zero)."""


def _apply(m, using: str, deltas: Counter) -> None:
    """Add each non-zero delta to its count row (creating it), in key order: one statement,
    run for every row (executemany: one round trip on PostgreSQL's pipeline). A count that
    went below zero means the kept rows had drifted from the data: the write is refused
    (SummaryDrift) rather than left showing a wrong figure."""
    rows = sorted((*key, delta) for key, delta in deltas.items() if delta)
    if not rows:
        return
    connection = connections[using]
    qn = connection.ops.quote_name
    table, count = qn(m.count._meta.db_table), qn("count")
    keys = ", ".join(qn(c) for c in ("scope", "key", "key2", "kind", "status"))
    upsert = f"ON CONFLICT ({keys}) DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > BULK_DELTAS:
            # An import's tens of thousands of rows: copied into a scratch table and added in
            # one statement, rather than upserted one by one (2.3 s for 34,000 rows).
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS summaries_delta (scope varchar(16), "
                'key bigint, key2 bigint, kind varchar(30), status varchar(20), "count" integer)'
                " ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy("COPY summaries_delta FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({keys}, {count}) SELECT {keys}, {count} "
                f"FROM summaries_delta ORDER BY {keys} {upsert}"
            )
            cursor.execute("DELETE FROM summaries_delta")
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({keys}, {count}) VALUES (%s, %s, %s, %s, %s, %s) {upsert}",
                rows,
            )
        if any(row[-1] < 0 for row in rows):
            # Answered by the partial index status_count_negative_idx, which is empty.
            cursor.execute(f"SELECT 1 FROM {table} WHERE {count} < 0 LIMIT 1")
            if cursor.fetchone():
                raise SummaryDrift(
                    _(
                        "The summary counts no longer match the data; nothing was saved. "
                        "Run “manage.py recompute_summaries”, then try again."
                    )
                )


def forget(item_ids: Iterable[int], using: str = DEFAULT_DB_ALIAS) -> None:
    """Take these items off the counts and drop their rows (just before they are deleted)."""
    ids = sorted({pk for pk in item_ids if pk is not None})
    if not ids:
        return
    m = _models()
    changes = _Changes()
    with transaction.atomic(using=using, savepoint=False):
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            old_items = {
                pk: tuple(values)
                for pk, *values in m.counted.objects.using(using)
                .filter(item_id__in=chunk)
                .values_list("item_id", *COUNTED_COLUMNS)
            }
            old_owners = {
                (item_id, country_id): (status, date, own)
                for item_id, country_id, status, date, own in m.owner_status.objects.using(using)
                .filter(item_id__in=chunk)
                .values_list("item_id", "country_id", "status", "status_date", "own")
            }
            _write(m, using, chunk, old_items, {}, old_owners, {}, changes)
        changes.write(m, using)


def forget_country(country_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Take a country's owner rows off the counts (just before the country is deleted: the
    cascade removes its ownerships without the m2m signal)."""
    m = _models()
    deltas: Counter = Counter()
    rows = m.owner_status.objects.using(using).filter(country_id=country_id)
    for status, theme, kind in rows.values_list(
        "status", "item__counted__theme_key", "item__counted__kind"
    ):
        if theme is not None:  # always, unless the rows have drifted
            deltas[(COUNTRY, country_id, 0, kind, status)] -= 1
            deltas[(THEME_COUNTRY, theme, country_id, kind, status)] -= 1
    if not deltas:
        return  # it owns nothing that is counted
    with transaction.atomic(using=using, savepoint=False):
        _apply(m, using, deltas)
        rows.delete()
        m.count.objects.using(using).filter(scope=COUNTRY, key=country_id, count=0).delete()
        m.count.objects.using(using).filter(scope=THEME_COUNTRY, key2=country_id, count=0).delete()


# --- checking and rebuilding ---------------------------------------------------------------


def recount(registry=None, using: str = DEFAULT_DB_ALIAS) -> tuple[dict, dict, dict]:
    """What the kept rows should hold, computed from scratch: (counted items, owner statuses,
    non-zero counts)."""
    m = _models(registry)
    items = {
        pk: (*values, month_key(due_date), strength)
        for pk, *values, due_date, strength in m.item.objects.using(using)
        .order_by("pk")
        .values_list("pk", "theme_id", "document_id", "kind", "status", "due_date", "strength")
    }
    ids = list(items)
    owners: dict = {}
    for start in range(0, len(ids), 4 * CHUNK):
        chunk = ids[start : start + 4 * CHUNK]
        span = {"item_id__gte": chunk[0], "item_id__lte": chunk[-1]}
        owners.update(_derive_owners(m, using, items, **span))
    counts: Counter = Counter()
    _contributions(items, owners, +1, counts)
    return items, owners, {key: n for key, n in counts.items() if n}


def _kept(m, using: str) -> tuple[dict, dict, dict]:
    items = {
        pk: tuple(values)
        for pk, *values in m.counted.objects.using(using).values_list("item_id", *COUNTED_COLUMNS)
    }
    owners = {
        (item_id, country_id): (status, date, own)
        for item_id, country_id, status, date, own in m.owner_status.objects.using(
            using
        ).values_list("item_id", "country_id", "status", "status_date", "own")
    }
    counts = {
        tuple(key): n
        for *key, n in m.count.objects.using(using)
        .exclude(count=0)
        .values_list("scope", "key", "key2", "kind", "status", "count")
    }
    return items, owners, counts


SHOWN = 50  # differences described one by one; the rest are only counted


class Differences(list):
    """Lines describing how the kept rows differ from a recount (at most SHOWN of them);
    `total` counts every differing row."""

    total = 0


def _differences(expected: tuple, kept: tuple) -> Differences:
    found = Differences()
    for what, recounted, held in zip(
        ("counted item", "owner status", "status count"), expected, kept, strict=True
    ):
        differing = [k for k in recounted.keys() | held.keys() if recounted.get(k) != held.get(k)]
        found.total += len(differing)
        for key in sorted(differing, key=repr)[: SHOWN - len(found)]:
            found.append(f"{what} {key}: kept {held.get(key)!r}, recounted {recounted.get(key)!r}")
    return found


def drift(registry=None, using: str = DEFAULT_DB_ALIAS) -> Differences:
    """The differences between the kept rows and a recount from scratch; empty when none."""
    return _differences(recount(registry, using), _kept(_models(registry), using))


def rebuild(registry=None, using: str = DEFAULT_DB_ALIAS) -> Differences:
    """Replace every kept row by a recount from scratch, if any differs; return the
    differences that were repaired."""
    m = _models(registry)
    connection = connections[using]
    with transaction.atomic(using=using):
        expected = recount(registry, using)
        problems = _differences(expected, _kept(m, using))
        if not problems:
            return problems
        items, owners, counts = expected
        for model in (m.count, m.owner_status, m.counted):
            model.objects.using(using).all().delete()
        # Plain executemany: at 100,000 items these are some 400,000 rows, and a model
        # instance per row (bulk_create) took most of the rebuild's time.
        _insert(
            connection,
            m.counted,
            ["item_id", *COUNTED_COLUMNS],
            ((pk, *values) for pk, values in items.items()),
        )
        _insert(
            connection,
            m.owner_status,
            ["item_id", "country_id", "status", "status_date", "own"],
            ((*key, *values) for key, values in owners.items()),
        )
        _insert(
            connection,
            m.count,
            ["scope", "key", "key2", "kind", "status", "count"],
            ((*key, n) for key, n in sorted(counts.items())),
        )
        if registry is None:
            from .cache import bump_data_version

            bump_data_version()  # pages cached from the drifted figures must go
    return problems


def _insert(connection, model, columns: list[str], rows) -> None:
    """Insert plain rows: COPY on PostgreSQL when there are many (an import, a rebuild),
    executemany otherwise. No model instances: at 100,000 items a rebuild writes some
    400,000 rows, and building an instance per row took most of its time."""
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(c.removesuffix("_id")) for c in columns]
    table = qn(model._meta.db_table)
    names = ", ".join(qn(f.column) for f in fields)
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > BULK_DELTAS:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                    for row in rows[start : start + 5000]
                ],
            )


# --- signals -------------------------------------------------------------------------------


def _item_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not COUNTED_FIELDS.intersection(update_fields):
        return
    mark_changed([instance.pk])


def _item_deleting(sender, instance, **kwargs) -> None:
    if _pending.get() is not _ALL:
        forget([instance.pk], using=kwargs.get("using") or DEFAULT_DB_ALIAS)


def _update_changed(sender, instance, **kwargs) -> None:
    mark_changed([instance.item_id])


def _owners_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if _pending.get() is _ALL:
        return
    if not reverse:  # item.owners.…: the item changed
        if action in {"post_add", "post_remove", "post_clear"}:
            mark_changed([instance.pk])
    elif action == "pre_clear":  # country.action_items.clear(): note which items it had
        instance._summaries_cleared = list(instance.action_items.values_list("pk", flat=True))
    elif action == "post_clear":
        mark_changed(getattr(instance, "_summaries_cleared", []))
    elif action in {"post_add", "post_remove"}:
        mark_changed(pk_set or [])


def _country_deleting(sender, instance, **kwargs) -> None:
    if _pending.get() is not _ALL:
        forget_country(instance.pk, using=kwargs.get("using") or DEFAULT_DB_ALIAS)


def _key_deleted(scope: str):
    def handler(sender, instance, **kwargs) -> None:
        # Its items are gone (PROTECT): only rows counting zero remain; drop them.
        m = _models()
        using = kwargs.get("using") or DEFAULT_DB_ALIAS
        m.count.objects.using(using).filter(scope=scope, key=instance.pk, count=0).delete()
        if scope == THEME:
            m.count.objects.using(using).filter(
                scope=THEME_COUNTRY, key=instance.pk, count=0
            ).delete()

    return handler


_theme_deleted = _key_deleted(THEME)
_document_deleted = _key_deleted(DOCUMENT)


def connect() -> None:
    from .models import ActionItem, Country, Document, StatusUpdate, Theme

    uid = "summaries-"
    post_save.connect(_item_saved, sender=ActionItem, dispatch_uid=uid + "item-saved")
    pre_delete.connect(_item_deleting, sender=ActionItem, dispatch_uid=uid + "item-deleting")
    post_save.connect(_update_changed, sender=StatusUpdate, dispatch_uid=uid + "update-saved")
    post_delete.connect(_update_changed, sender=StatusUpdate, dispatch_uid=uid + "update-deleted")
    m2m_changed.connect(
        _owners_changed, sender=ActionItem.owners.through, dispatch_uid=uid + "owners"
    )
    pre_delete.connect(_country_deleting, sender=Country, dispatch_uid=uid + "country-deleting")
    post_delete.connect(_theme_deleted, sender=Theme, dispatch_uid=uid + "theme-deleted")
    post_delete.connect(_document_deleted, sender=Document, dispatch_uid=uid + "document-deleted")
