"""The status-update log as a table: one row per update, in and out.

Columns (UPDATE_COLUMNS): document, ref, country (empty = the whole item), status, date,
note_ja, note_en, source_url — keyed by natural values, never database ids. An import appends
new updates through the status service (so the roles, the source rule and the date rules are
the same as everywhere), skips rows identical to a recorded update, and refuses everything
else with its row and column; all or nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..choices import Status
from ..csv_format import Echo, neutralise
from ..models import ActionItem, StatusUpdate
from ..services import item_set_status
from .items import (
    ImportResult,
    Problem,
    RowOutcome,
    RowProblem,
    _choice,
    _date,
    _ref,
    _text,
)
from .tabular import Table

UPDATE_COLUMNS = [
    "document",
    "ref",
    "country",
    "status",
    "date",
    "note_ja",
    "note_en",
    "source_url",
]
REQUIRED = ["document", "ref", "status", "date", "source_url"]


def update_rows(updates: QuerySet[StatusUpdate]) -> Iterator[list[str]]:
    """Every standing update as a row in UPDATE_COLUMNS order, every cell neutralised."""
    rows = (
        updates.filter(retracted_at__isnull=True)
        .rewrite(False)
        .order_by(
            "item__document__slug",
            "item__paragraph__number",
            "item__id",
            "date",
            "recorded_at",
            "pk",
        )
        .values_list(
            "item__document__slug",
            "item__ref",
            "country__code",
            "status",
            "date",
            "note_ja",
            "note_en",
            "source_url",
        )
    )
    for slug, ref, country, status, date, note_ja, note_en, source in rows.iterator(
        chunk_size=2000
    ):
        yield [
            neutralise(value)
            for value in (
                slug,
                ref,
                country or "",
                status,
                date.isoformat(),
                note_ja or "",
                note_en or "",
                source,
            )
        ]


def stream_updates_csv(updates: QuerySet[StatusUpdate], *, bom: bool = True) -> Iterator[str]:
    writer = csv.writer(Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow(UPDATE_COLUMNS)
    for row in update_rows(updates):
        yield writer.writerow(row)


def import_updates(table: Table, *, user=None, commit: bool = True, snapshot=None) -> ImportResult:
    """Append the table's new updates (see the module's docstring). Never raises for bad data."""
    result = ImportResult(encoding=table.encoding, file_format=table.file_format)
    headers = [h for h in table.headers if h]
    missing = [c for c in REQUIRED if c not in headers]
    unknown = [h for h in headers if h not in UPDATE_COLUMNS]
    if missing:
        result.file_problems.append(
            Problem(
                _(
                    "Missing required column(s): %(missing)s. The first row must name the columns: %(columns)s."
                )
                % {"missing": ", ".join(missing), "columns": ", ".join(UPDATE_COLUMNS)}
            )
        )
    if unknown:
        result.file_problems.append(
            Problem(
                _("Unknown column(s): %(unknown)s. Allowed: %(allowed)s.")
                % {"unknown": ", ".join(unknown), "allowed": ", ".join(UPDATE_COLUMNS)}
            )
        )
    if result.file_problems:
        return result
    items = {
        (item.document.slug, item.ref): item
        for item in ActionItem.objects.select_related("document").prefetch_related("owners")
    }
    seen: dict[tuple, int] = {}
    try:
        with transaction.atomic():
            for row in table.rows:
                outcome = RowOutcome(row.number, "", "", "error")
                result.outcomes.append(outcome)

                def problem(column, message, row=row, outcome=outcome):
                    outcome.problems.append(Problem(message, row.number, column, table.row_word))

                values = {}
                for column, reader in (
                    ("document", _text),
                    ("ref", _ref),
                    ("country", _text),
                    ("status", lambda c: _choice(c, Status.choices, required=True)),
                    ("date", _date),
                    ("note_ja", _text),
                    ("note_en", _text),
                    ("source_url", _text),
                ):
                    try:
                        values[column] = reader(row.get(column))
                    except RowProblem as error:
                        problem(column, str(error))
                if outcome.problems:
                    continue
                outcome.document, outcome.ref = values["document"], values["ref"]
                item = items.get((values["document"], values["ref"]))
                if item is None:
                    problem(
                        "ref",
                        _("there is no item %(ref)s in document “%(slug)s”.")
                        % {"ref": values["ref"], "slug": values["document"][:80]},
                    )
                    continue
                country = None
                if values["country"]:
                    code = values["country"].upper()
                    country = next((c for c in item.owners.all() if c.code == code), None)
                    if country is None:
                        problem(
                            "country",
                            _(
                                "%(code)s does not own %(ref)s; an update may speak only for an owner."
                            )
                            % {"code": code[:10], "ref": item.ref},
                        )
                        continue
                if values["date"] is None:
                    problem("date", _("this column is required."))
                    continue
                key = (item.pk, country.pk if country else None, values["date"], values["status"])
                if key in seen:
                    problem(
                        "status",
                        _("the same update appears twice (rows %(first)d and %(second)d).")
                        % {"first": seen[key], "second": row.number},
                    )
                    continue
                seen[key] = row.number
                recorded = StatusUpdate.objects.filter(
                    item=item,
                    country=country,
                    date=values["date"],
                    status=values["status"],
                    retracted_at__isnull=True,
                ).first()
                if recorded is not None:
                    same = (
                        recorded.note_ja or "",
                        recorded.note_en or "",
                        recorded.source_url,
                    ) == (values["note_ja"], values["note_en"], values["source_url"])
                    if same:
                        outcome.action = "unchanged"
                    else:
                        problem(
                            "note_ja",
                            _(
                                "differs from the recorded update of the same item, owner, date and status; to fix the recorded one, use “Correct” on the item's page."
                            ),
                        )
                    continue
                try:
                    item_set_status(
                        item=item,
                        status=values["status"],
                        date=values["date"],
                        source_url=values["source_url"],
                        note_ja=values["note_ja"],
                        note_en=values["note_en"],
                        country=country,
                        user=user,
                    )
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        column = field if field in UPDATE_COLUMNS else "status"
                        for message in messages:
                            problem(column, message)
                    continue
                except PermissionDenied as error:
                    problem("country", str(error))
                    continue
                outcome.action = "new"
                outcome.changes.append((_("status"), "", Status(values["status"]).label))
                result.status_updates += 1
            if not commit or not result.ok:
                transaction.set_rollback(True)
    except IntegrityError:
        result.file_problems.append(
            Problem(
                _(
                    "Someone else recorded the same update while this import ran, so nothing was imported. Try again."
                )
            )
        )
    result.committed = commit and result.ok
    return result
