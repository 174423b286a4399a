"""Importing action items from a table: every cell checked, every row planned against the
database under lock, then written all at once or not at all.

The pipeline, top to bottom:

1. `tabular.read_table` turns the upload into rows of cells (or refuses the file).
2. `clean_rows` turns each row's cells into checked values, naming the row and column of
   every problem. No database writes; reference data is looked up once.
3. `import_items` plans each row against the items as they are now (new, updated,
   unchanged, or an error), inside one transaction that holds the affected documents and items
   locked, so nothing can change between the plan and the write. It refuses rows whose item
   changed since the file was exported (the `version` column) or since the preview was shown
   (the preview's snapshot). With `commit=False` it only reports; otherwise it writes items,
   owners, status updates and their audit records in bulk, and every item ends up showing its
   newest update.

A failure raises nothing to the caller: the returned ImportResult says it failed and why, and
`committed` is true only when the rows were written.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .. import summaries
from ..cache import bump_data_version
from ..choices import DuePrecision, Kind, Status, Strength
from ..csv_format import COLUMNS, EXPORT_ONLY, OWNER_SEPARATOR, unneutralise
from ..models import REF_PATTERN, ActionItem, Country, Document, Paragraph, StatusUpdate, Theme
from ..services import previous_status_on, status_change_errors
from ..status_rule import derive_status
from .tabular import Cell, FileRefused, Row, Table, cell_name

REQUIRED_COLUMNS = ["document", "ref", "paragraph", "kind", "owners", "theme"]
#: Columns an import reads: the export's (csv_format.COLUMNS) less the export-only ones.
IMPORTED_COLUMNS = [column for column in COLUMNS if column not in EXPORT_ONLY]
#: Columns a reviewer may leave in: the proposer's `evidence` (propose_items) is read by people.
IGNORED = {"evidence"}
BATCH = 1000
_REF = re.compile(REF_PATTERN)
_DIGITS = re.compile(r"[0-9]+")


class RowProblem(Exception):
    """A cell that cannot be used; the message names what is wrong, for the sender."""


@dataclass(frozen=True)
class Problem:
    """A problem with the file (row None) or with one row, and the column it is in."""

    message: str
    row: int | None = None
    column: str | None = None
    row_word: str = "row"

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            # The separator is the reader's language's (Japanese uses a full-width colon).
            return _("%(where)s: %(message)s") % {
                "where": cell_name(self.column, self.row, self.row_word),
                "message": self.message,
            }
        if self.row_word == "record":
            return _("Record %(number)d: %(message)s") % {
                "number": self.row,
                "message": self.message,
            }
        return _("Row %(number)d: %(message)s") % {"number": self.row, "message": self.message}


@dataclass
class ItemRow:
    """One row's checked values. Columns the file does not have are absent from `values`."""

    number: int
    document: Document
    ref: str
    values: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.document.slug, self.ref)


@dataclass
class RowOutcome:
    number: int
    document: str
    ref: str
    action: str  # "new", "update", "unchanged" or "error"
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportResult:
    outcomes: list[RowOutcome] = field(default_factory=list)
    file_problems: list[Problem] = field(default_factory=list)
    encoding: str = ""
    file_format: str = ""
    committed: bool = False
    status_updates: int = 0
    #: Each affected item's version as planned ((slug, ref) -> version, None for a new ref);
    #: a preview stores it, and its confirmation refuses rows that changed meanwhile.
    snapshot: dict[str, int | None] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return [*self.file_problems, *(p for o in self.outcomes for p in o.problems)]

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("new", "update", "unchanged", "error")}

    def summary(self) -> str:
        counts = self.counts
        return _(
            "%(new)d new, %(update)d updated, %(unchanged)d unchanged, %(updates)d status "
            "update(s), %(errors)d problem(s)."
        ) % {
            "new": counts["new"],
            "update": counts["update"],
            "unchanged": counts["unchanged"],
            "updates": self.status_updates,
            "errors": len(self.problems),
        }


def snapshot_key(slug: str, ref: str) -> str:
    return f"{slug}\x1f{ref}"


# --- cells -------------------------------------------------------------------------------


def _text(cell: Cell) -> str:
    if cell.formula:
        raise RowProblem(
            _(
                "this cell holds a spreadsheet formula (%(formula)s); type its value as text instead."
            )
            % {"formula": str(cell.value)[:40]}
        )
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        raise RowProblem(_("give text here, not TRUE/FALSE."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    return unneutralise(str(value)).strip()


def _ref(cell: Cell) -> str:
    if not cell.is_empty and not cell.is_text and not cell.formula:
        raise RowProblem(
            _(
                "the ref is stored as a number (%(value)s), so 25.10 would read as 25.1. Format the column as Text and type the refs again."
            )
            % {"value": cell.value}
        )
    ref = _text(cell)
    if not ref:
        raise RowProblem(_("this column is required."))
    if not _REF.match(ref):
        raise RowProblem(
            _(
                "“%(ref)s” is not a ref; a ref is the paragraph number, a dot and the item number, e.g. 25.2 (digits and dots, optionally one lower-case letter at the end)."
            )
            % {"ref": ref.encode("unicode_escape").decode("ascii")[:40]}
        )
    return ref


def _whole_number(cell: Cell, what: str) -> int:
    value = cell.value
    if isinstance(value, bool):
        raise RowProblem(_("“%(value)s” is not %(what)s.") % {"value": value, "what": what})
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = unicodedata.normalize("NFKC", _text(cell))
    if not _DIGITS.fullmatch(text):
        raise RowProblem(_("“%(value)s” is not %(what)s.") % {"value": _text(cell), "what": what})
    return int(text)


def _choice(cell: Cell, choices, *, required: bool) -> str:
    value = _text(cell)
    if not value:
        if required:
            raise RowProblem(_("this column is required."))
        return ""
    allowed = [v for v, _label in choices]
    if value not in allowed:
        raise RowProblem(
            _("“%(value)s” is not allowed here; use one of: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(allowed)}
        )
    return value


def _date(cell: Cell) -> datetime.date | None:
    value = cell.value
    if cell.formula:
        _text(cell)
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time():
            raise RowProblem(_("give a date without a time of day."))
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise RowProblem(
            _("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2016-12-31.")
            % {"value": value}
        )
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowProblem(
        _("“%(value)s” is not a date; write it as YYYY-MM-DD, e.g. 2016-12-31.") % {"value": text}
    )


def precision_problem(due_date: datetime.date | None, precision: str) -> str | None:
    """A due date must be the last day of the period its precision names."""
    if not due_date:
        return None
    if precision == DuePrecision.YEAR and (due_date.month, due_date.day) != (12, 31):
        return _("with precision “year” the due date is the last day of the year (%(date)s).") % {
            "date": datetime.date(due_date.year, 12, 31).isoformat()
        }
    if precision == DuePrecision.MONTH:
        last = calendar.monthrange(due_date.year, due_date.month)[1]
        if due_date.day != last:
            return _(
                "with precision “month” the due date is the last day of the month (%(date)s)."
            ) % {"date": datetime.date(due_date.year, due_date.month, last).isoformat()}
    return None


class _Lookups:
    """Reference data, read once per import."""

    def __init__(self):
        self.documents = {d.slug: d for d in Document.objects.all()}
        self.themes = {t.slug: t for t in Theme.objects.all()}
        self.countries = {c.code: c for c in Country.objects.only("code")}
        self._paragraphs: dict[tuple[int, int], Paragraph] | None = None

    def paragraph(self, document: Document, number: int) -> Paragraph | None:
        if self._paragraphs is None:
            self._paragraphs = {
                (p.document_id, p.number): p for p in Paragraph.objects.only("document", "number")
            }
        return self._paragraphs.get((document.pk, number))


def _owners(cell: Cell, lookups: _Lookups) -> list[Country]:
    text = _text(cell)
    codes = [
        part.strip().upper()
        for part in text.replace(",", OWNER_SEPARATOR).split(OWNER_SEPARATOR)
        if part.strip()
    ]
    if not codes:
        raise RowProblem(_("name at least one owner country (ISO codes separated by “;”)."))
    unknown = [code for code in codes if code not in lookups.countries]
    if unknown:
        raise RowProblem(_("unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
    return [lookups.countries[code] for code in dict.fromkeys(codes)]


def clean_rows(
    table: Table, lookups: _Lookups | None = None
) -> tuple[list[ItemRow], list[Problem]]:
    """Check every cell; return the rows (each with its own problems) and file-level problems."""
    lookups = lookups or _Lookups()
    headers = [h for h in table.headers if h]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        return [], [
            Problem(
                _(
                    "Missing required column(s): %(missing)s. The first row must name the columns: %(columns)s."
                )
                % {"missing": ", ".join(missing), "columns": ", ".join(IMPORTED_COLUMNS)}
            )
        ]

    unknown = [
        h for h in headers if h not in COLUMNS and h not in IMPORTED_COLUMNS and h not in IGNORED
    ]
    if unknown:
        return [], [
            Problem(
                _("Unknown column(s): %(unknown)s. Allowed: %(allowed)s.")
                % {"unknown": ", ".join(unknown), "allowed": ", ".join(COLUMNS)}
            )
        ]
    present = [c for c in IMPORTED_COLUMNS if c in headers]
    rows: list[ItemRow] = []
    for raw in table.rows:
        rows.append(_clean_row(raw, present, lookups, table.row_word))
    file_problems = _duplicates(rows, table.row_word)
    return rows, file_problems


def _clean_row(raw: Row, present: list[str], lookups: _Lookups, row_word: str) -> ItemRow:
    problems: list[Problem] = []
    values: dict[str, object] = {}

    def read(column, reader):
        try:
            values[column] = reader(raw.get(column))
        except RowProblem as problem:
            problems.append(Problem(str(problem), raw.number, column, row_word))

    document = None
    try:
        slug = _text(raw.get("document"))
        if not slug:
            raise RowProblem(_("this column is required."))
        document = lookups.documents.get(slug)
        if document is None:
            raise RowProblem(_("there is no document “%(slug)s”.") % {"slug": slug[:80]})
    except RowProblem as problem:
        problems.append(Problem(str(problem), raw.number, "document", row_word))
    ref = ""
    try:
        ref = _ref(raw.get("ref"))
    except RowProblem as problem:
        problems.append(Problem(str(problem), raw.number, "ref", row_word))

    def paragraph(cell):
        number = _whole_number(cell, _("a paragraph number"))
        if document is None:
            return None
        found = lookups.paragraph(document, number)
        if found is None:
            raise RowProblem(
                _("document “%(slug)s” has no paragraph %(number)d.")
                % {"slug": document.slug, "number": number}
            )
        return found

    def theme(cell):
        slug = _text(cell)
        if not slug:
            raise RowProblem(_("this column is required."))
        if slug not in lookups.themes:
            raise RowProblem(_("there is no theme “%(slug)s”.") % {"slug": slug[:80]})
        return lookups.themes[slug]

    def version(cell):
        if cell.is_empty:
            return None
        return _whole_number(cell, _("a version number"))

    readers = {
        "paragraph": paragraph,
        "kind": lambda c: _choice(c, Kind.choices, required=True),
        "strength": lambda c: _choice(c, Strength.choices, required=False),
        "title_ja": _text,
        "title_en": _text,
        "owners": lambda c: _owners(c, lookups),
        "theme": theme,
        "starts_on": _date,
        "due_date": _date,
        "due_precision": lambda c: _choice(c, DuePrecision.choices, required=False),
        "due_text": _text,
        "status": lambda c: _choice(c, Status.choices, required=False),
        "status_date": _date,
        "status_note_ja": _text,
        "status_note_en": _text,
        "source_url": _text,
        "version": version,
    }
    for column in present:
        if column in readers:
            read(column, readers[column])
    for column, limit in (
        ("title_ja", 200),
        ("title_en", 200),
        ("due_text", 100),
        ("source_url", 500),
    ):
        if len(str(values.get(column) or "")) > limit:
            problems.append(
                Problem(
                    _("at most %(limit)d characters (this has %(length)d).")
                    % {"limit": limit, "length": len(str(values[column]))},
                    raw.number,
                    column,
                    row_word,
                )
            )
    row = ItemRow(raw.number, document or Document(slug=""), ref, values, problems)
    if not problems:
        _check_dates(row, row_word)
    return row


def _check_dates(row: ItemRow, row_word: str) -> None:
    values = row.values
    starts_on, due_date = values.get("starts_on"), values.get("due_date")
    precision = values.get("due_precision", "")
    if "due_date" in values or "due_precision" in values:
        if due_date and not precision:
            row.problems.append(
                Problem(
                    _("say how exactly the text fixes the date (day, month or year)."),
                    row.number,
                    "due_precision",
                    row_word,
                )
            )
        if precision and not due_date:
            row.problems.append(
                Problem(_("a precision needs a due date."), row.number, "due_date", row_word)
            )
        problem = precision_problem(due_date, precision)
        if problem:
            row.problems.append(Problem(problem, row.number, "due_date", row_word))
    if starts_on and not due_date:
        row.problems.append(
            Problem(_("a start date needs a due date."), row.number, "due_date", row_word)
        )
    if starts_on and due_date and starts_on > due_date:
        row.problems.append(
            Problem(
                _("the start date must not be after the due date."),
                row.number,
                "starts_on",
                row_word,
            )
        )


def _duplicates(rows: list[ItemRow], row_word: str) -> list[Problem]:
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for row in rows:
        if not row.ref or not row.document.slug:
            continue
        if row.key in seen:
            problems.append(
                Problem(
                    _(
                        "The same ref appears twice: %(slug)s %(ref)s (rows %(first)d and %(second)d)."
                    )
                    % {
                        "slug": row.key[0],
                        "ref": row.ref,
                        "first": seen[row.key],
                        "second": row.number,
                    }
                )
            )
        seen.setdefault(row.key, row.number)
    return problems


# --- planning and writing ----------------------------------------------------------------


@dataclass
class _PlannedStatus:
    item: ActionItem
    status: str
    date: datetime.date
    note_ja: str
    note_en: str
    source_url: str


def changed_by(item: ActionItem) -> str:
    """“editor.aigul at 26 Nov 2026 10:04”: who last changed the item, for conflict messages."""
    last = item.history.order_by("-history_date").select_related("history_user").first()
    if last is None:
        return _("someone else")
    who = str(last.history_user) if last.history_user else _("someone else")
    when = date_format(localtime(last.history_date), "DATETIME_FORMAT")
    return _("%(who)s at %(when)s") % {"who": who, "when": when}


def import_items(
    table: Table,
    *,
    user=None,
    commit: bool = True,
    snapshot: dict[str, int | None] | None = None,
) -> ImportResult:
    """Plan the table's rows and, with `commit`, write them all or none (see module docs)."""
    result = ImportResult(encoding=table.encoding, file_format=table.file_format)
    rows, file_problems = clean_rows(table)
    result.file_problems = file_problems
    if file_problems and not rows:
        return result
    try:
        with transaction.atomic():
            _plan_and_write(rows, result, user=user, commit=commit, snapshot=snapshot)
            if not commit or not result.ok:
                transaction.set_rollback(True)
    except IntegrityError:
        result.committed = False
        result.file_problems.append(
            Problem(
                _(
                    "Someone else saved changes to the same items while this import ran, so nothing was imported. Upload the file again to see the current state."
                )
            )
        )
    return result


def _plan_and_write(rows, result: ImportResult, *, user, commit: bool, snapshot) -> None:
    good = [row for row in rows if row.document.pk and row.ref]
    slugs = {row.document.slug for row in good}
    refs = {row.ref for row in good}
    items_qs = ActionItem.objects.filter(document__slug__in=slugs, ref__in=refs)
    if commit:
        # Hold the documents, then the items, until the end: two imports into one document
        # take turns, and no status update or edit can land between this plan and its write.
        list(
            Document.objects.select_for_update().filter(slug__in=slugs).order_by("pk").values("pk")
        )
        # Only the items (of=self), not the rows the query joins: holding their paragraph
        # while waiting for the next item would deadlock with a paragraph page that locked
        # that item and then saves the paragraph.
        items_qs = items_qs.select_for_update(of=("self",)).order_by("pk")
    existing = {
        (item.document.slug, item.ref): item
        for item in items_qs.select_related("document", "theme", "paragraph").prefetch_related(
            "owners"
        )
    }
    updates_by_item: dict[int, list[StatusUpdate]] = defaultdict(list)
    for update in StatusUpdate.objects.filter(
        item_id__in=[item.pk for item in existing.values()]
    ).order_by("date", "recorded_at", "pk"):
        updates_by_item[update.item_id].append(update)

    planned_new: list[ActionItem] = []
    planned_changed: list[ActionItem] = []
    owners: dict[int, tuple[ActionItem, list[Country]]] = {}
    statuses: list[_PlannedStatus] = []
    for row in rows:
        outcome = RowOutcome(
            row.number, row.document.slug, row.ref, "error", problems=list(row.problems)
        )
        result.outcomes.append(outcome)
        if row.problems:
            continue
        item = existing.get(row.key)
        key = snapshot_key(*row.key)
        result.snapshot[key] = item.version if item else None
        if snapshot is not None and key in snapshot and snapshot[key] != result.snapshot[key]:
            outcome.problems.append(_stale_since_preview(row, item))
            continue
        if item is None:
            _plan_new(row, outcome, planned_new, owners, statuses)
        else:
            _plan_existing(row, item, outcome, planned_changed, owners, statuses, updates_by_item)
    if not result.ok or not commit:
        return

    now = timezone.now()
    new_updates = _status_rows(statuses, updates_by_item, user, now)
    result.status_updates = len(new_updates)
    # Every item shows its newest update, whatever order the rows and the updates came in.
    edited = {id(item) for item in planned_changed}
    new_by_item: dict[int, list[StatusUpdate]] = defaultdict(list)
    for update in new_updates:
        new_by_item[id(update.item)].append(update)
    touched = {id(planned.item): planned.item for planned in statuses}
    touched.update({id(item): item for item, _countries in owners.values() if item.pk})
    for item in touched.values():
        earlier = updates_by_item.get(item.pk, []) if item.pk else []
        if id(item) in owners:
            owner_ids = [c.pk for c in owners[id(item)][1]]
        else:
            owner_ids = [c.pk for c in item.owners.all()]
        status, status_date = derive_status([*earlier, *new_by_item[id(item)]], owner_ids)
        if (status, status_date) != (item.status, item.status_date):
            item.status, item.status_date = status, status_date
            if item.pk is not None and id(item) not in edited:
                planned_changed.append(item)  # a status-only change: no new version
    # The untranslated columns (title, note) take the default language's text, as a save()
    # would; which language the importing person reads in must not matter. Only the writes
    # run in it: the messages are for the person importing, in their language.
    if planned_new or planned_changed or new_updates:  # an all-unchanged file writes nothing
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            _write(planned_new, planned_changed, edited, owners, new_updates, user, now)
    result.committed = True


def _stale_since_preview(row: ItemRow, item: ActionItem | None) -> Problem:
    if item is None:
        message = _(
            "this item was deleted after your preview; nothing was imported. Upload the file again."
        )
    else:
        message = _(
            "this item was changed by %(who)s after your preview; nothing was imported. Upload the file again to see their change."
        ) % {"who": changed_by(item)}
    return Problem(message, row.number, "ref")


def _status_problem(row: ItemRow, column: str, message: str) -> Problem:
    return Problem(message, row.number, column)


def _plan_status(
    row: ItemRow, item: ActionItem, outcome: RowOutcome, statuses, existing_updates
) -> None:
    values = row.values
    status = values.get("status", "")
    date = values.get("status_date")
    if not status:
        if date:
            outcome.problems.append(
                _status_problem(row, "status", _("a status date needs a status."))
            )
        return
    if status == Status.NOT_ASSESSED:
        if date:
            outcome.problems.append(
                _status_problem(
                    row, "status_date", _("“not_assessed” takes no date; leave status_date empty.")
                )
            )
        elif item.pk and item.status != Status.NOT_ASSESSED:
            outcome.problems.append(
                _status_problem(
                    row,
                    "status",
                    _(
                        "an assessed item cannot go back to “not_assessed” by import; an administrator can retract its updates."
                    ),
                )
            )
        return
    if date is None:
        if item.pk and status == item.status:
            return  # the file repeats the current status without its date: nothing to do
        outcome.problems.append(
            _status_problem(
                row, "status_date", _("a status change needs the date it happened (status_date).")
            )
        )
        return
    match = next(
        (
            u
            for u in existing_updates
            if (u.date, u.status) == (date, status) and not u.retracted_at and u.country_id is None
        ),
        None,
    )
    if match is not None:
        for column, attribute in (
            ("status_note_ja", "note_ja"),
            ("status_note_en", "note_en"),
            ("source_url", "source_url"),
        ):
            if column in values and values[column] != (getattr(match, attribute) or ""):
                outcome.problems.append(
                    _status_problem(
                        row,
                        column,
                        _(
                            "differs from the recorded “%(status)s” update of %(date)s. To add an update, give a new status or date; to fix the recorded one, use “Correct” on the item's page."
                        )
                        % {"status": Status(status).label, "date": date.isoformat()},
                    )
                )
        return
    retracted = next(
        (
            u
            for u in existing_updates
            if (u.date, u.status) == (date, status) and u.retracted_at and u.country_id is None
        ),
        None,
    )
    if retracted is not None:
        # An export made before the retraction still carries it: importing that file again
        # must not silently put the withdrawn update back on the public record.
        outcome.problems.append(
            _status_problem(
                row,
                "status",
                _(
                    "the “%(status)s” update of %(date)s was retracted (%(reason)s); an import does not record it again. If it is right after all, record it on the item's page."
                )
                % {
                    "status": Status(status).label,
                    "date": date.isoformat(),
                    "reason": retracted.retraction_reason[:200],
                },
            )
        )
        return
    notes = ("status_note_ja", "status_note_en", "source_url")
    if (
        item.pk
        and (status, date) == (item.status, item.status_date)
        and not any(values.get(c) for c in notes)
    ):
        # The status the item shows as its owners' own updates make it (no item-level update
        # has it), written back as the export writes it, without note or source: nothing to record.
        return
    errors = status_change_errors(
        status=status, date=date, source_url=values.get("source_url", ""), require_source=True
    )
    for field_name, messages in errors.items():
        column = {"date": "status_date"}.get(field_name, field_name)
        outcome.problems.extend(_status_problem(row, column, m) for m in messages)
    signed_on = row.document.signed_on
    # An acknowledgement welcomes something already done, so its date may precede the text.
    kind = row.values.get("kind") or item.kind
    if signed_on and date < signed_on and "date" not in errors and kind != Kind.ACKNOWLEDGEMENT:
        outcome.problems.append(
            _status_problem(
                row,
                "status_date",
                _(
                    "%(date)s is before the document was signed (%(signed)s); a status update records what happened afterwards."
                )
                % {"date": date.isoformat(), "signed": signed_on.isoformat()},
            )
        )
    if not outcome.problems:
        statuses.append(
            _PlannedStatus(
                item,
                status,
                date,
                values.get("status_note_ja", ""),
                values.get("status_note_en", ""),
                values.get("source_url", ""),
            )
        )
        outcome.changes.append(
            (_("status"), _label(item.status), f"{Status(status).label} ({date.isoformat()})")
        )


def _label(status: str) -> str:
    return Status(status).label if status in Status.values else status


FIELD_COLUMNS = [
    "kind",
    "strength",
    "title_ja",
    "title_en",
    "theme",
    "starts_on",
    "due_date",
    "due_precision",
    "due_text",
]


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "slug"):
        return value.slug
    return str(value)


def _plan_new(row: ItemRow, outcome: RowOutcome, planned_new, owners, statuses) -> None:
    values = row.values
    for column in ("paragraph", "kind", "theme", "owners"):
        if not values.get(column):
            outcome.problems.append(Problem(_("this column is required."), row.number, column))
    if not (values.get("title_ja") or values.get("title_en")):
        outcome.problems.append(
            Problem(
                _("give a title in Japanese or English (title_ja / title_en)."),
                row.number,
                "title_ja",
            )
        )
    if outcome.problems:
        return
    item = ActionItem(
        paragraph=values["paragraph"],
        ref=row.ref,
        kind=values["kind"],
        strength=values.get("strength", ""),
        title=values.get("title_ja") or values.get("title_en"),
        title_ja=values.get("title_ja", ""),
        title_en=values.get("title_en", ""),
        theme=values["theme"],
        starts_on=values.get("starts_on"),
        due_date=values.get("due_date"),
        due_precision=values.get("due_precision", ""),
        due_text=values.get("due_text", ""),
    )
    item.take_paragraphs_document()
    _plan_status(row, item, outcome, statuses, [])
    if outcome.problems:
        return
    planned_new.append(item)
    owners[id(item)] = (item, values["owners"])
    outcome.action = "new"


def _plan_existing(row, item, outcome, planned_changed, owners, statuses, updates_by_item) -> None:
    values = row.values
    if "paragraph" in values and values["paragraph"] != item.paragraph:
        outcome.problems.append(
            Problem(
                _(
                    "%(ref)s belongs to paragraph %(old)d; an import does not move items between paragraphs (change it on the item's page)."
                )
                % {"ref": item.ref, "old": item.paragraph.number},
                row.number,
                "paragraph",
            )
        )
        return
    changed = False
    for column in FIELD_COLUMNS:
        if column not in values:
            continue
        new, old = values[column], getattr(item, column)
        if column == "theme":
            new_key, old_key = new.pk, item.theme_id
        else:
            new_key, old_key = (new or None, old or None)
        if new_key != old_key:
            outcome.changes.append((column, _display(old), _display(new)))
            setattr(item, column, new)
            changed = True
    # No `item.title = title_ja or title_en` here: modeltranslation writes that into the
    # active language's column, so a row with only title_en overwrote title_ja with it.
    # Reading `title` falls back from title_ja to title_en by itself.
    if ("title_ja" in values or "title_en" in values) and not (item.title_ja or item.title_en):
        outcome.problems.append(
            Problem(
                _("give a title in Japanese or English (title_ja / title_en)."),
                row.number,
                "title_ja",
            )
        )
        return
    date_problems = item.date_errors()
    for column, message in date_problems.items():
        outcome.problems.append(Problem(str(message), row.number, column))
    if "owners" in values:
        new_codes = sorted(c.code for c in values["owners"])
        old_codes = sorted(c.code for c in item.owners.all())
        if new_codes != old_codes:
            outcome.changes.append(
                ("owners", OWNER_SEPARATOR.join(old_codes), OWNER_SEPARATOR.join(new_codes))
            )
            owners[id(item)] = (item, values["owners"])
            changed = True
    # A file exported before someone else's edit may not undo it: a row that would change the
    # item's fields is refused when its version is not the item's. A row that changes nothing
    # (the same file imported again after it was applied) is simply unchanged.
    stale = values.get("version") is not None and values["version"] != item.version
    if stale and changed:
        outcome.problems.append(
            Problem(
                _(
                    "%(ref)s was changed by %(who)s after this file was exported (version %(old)d in the file, %(new)d now). Export again and make your change there, so theirs is not undone."
                )
                % {
                    "ref": item.ref,
                    "who": changed_by(item),
                    "old": values["version"],
                    "new": item.version,
                },
                row.number,
                "version",
            )
        )
        return
    _plan_status(row, item, outcome, statuses, updates_by_item.get(item.pk, []))
    if outcome.problems:
        return
    if changed:
        planned_changed.append(item)
    outcome.action = "update" if outcome.changes else "unchanged"


def _status_rows(statuses, updates_by_item, user, now) -> list[StatusUpdate]:
    rows: list[StatusUpdate] = []
    # This file's own earlier rows for each item (by identity: new items have no pk yet).
    written: dict[int, list[StatusUpdate]] = {}
    for planned in statuses:
        earlier = updates_by_item.get(planned.item.pk, []) if planned.item.pk else []
        history = [*earlier, *written.get(id(planned.item), [])]
        row = StatusUpdate(
            item=planned.item,
            status=planned.status,
            previous_status=previous_status_on(history, planned.date),
            date=planned.date,
            note=planned.note_ja or planned.note_en,
            note_ja=planned.note_ja,
            note_en=planned.note_en,
            source_url=planned.source_url,
            recorded_by=user,
            recorded_at=now,
        )
        rows.append(row)
        written.setdefault(id(planned.item), []).append(row)
    return rows


def _write(planned_new, planned_changed, edited, owners, new_updates, user, now) -> None:
    history = ActionItem.history
    for item in planned_new:
        item.updated_at = now
    created = ActionItem.objects.bulk_create(planned_new, batch_size=BATCH)
    records = list(history.bulk_history_create(created, batch_size=BATCH, default_user=user))
    for item in planned_changed:
        if id(item) in edited:
            item.version += 1
        item.updated_at = now
    # Without rewrite(False), modeltranslation would turn "title" into "title_ja" and leave
    # the untranslated columns as they were before the change.
    ActionItem.objects.rewrite(False).bulk_update(planned_changed, UPDATED_FIELDS, batch_size=BATCH)
    records += history.bulk_history_create(
        planned_changed, batch_size=BATCH, update=True, default_user=user
    )

    through = ActionItem.owners.through
    rewired = [item.pk for item, _owners in owners.values() if item in planned_changed]
    through.objects.filter(actionitem_id__in=rewired).delete()
    through.objects.bulk_create(
        [
            through(actionitem_id=item.pk, country_id=c.pk)
            for item, countries in owners.values()
            for c in countries
        ],
        batch_size=BATCH,
    )
    _record_owner_history(records)
    for update in new_updates:
        update.item_id = update.item.pk
    created_updates = StatusUpdate.objects.bulk_create(new_updates, batch_size=BATCH)
    StatusUpdate.history.bulk_history_create(created_updates, batch_size=BATCH, default_user=user)
    # Bulk writes send no signals: bring the summary counts in step here, in this transaction.
    summaries.refresh(
        [item.pk for item in created]
        + [item.pk for item in planned_changed]
        + [update.item_id for update in created_updates]
    )
    bump_data_version()  # bulk writes send no signals


UPDATED_FIELDS = [
    "status",
    "status_date",
    "kind",
    "strength",
    "title",
    "title_ja",
    "title_en",
    "theme",
    "starts_on",
    "due_date",
    "due_precision",
    "due_text",
    "version",
    "updated_at",
]


def _record_owner_history(records) -> None:
    """Each new audit record of an item gets the owners it has now, as save() would."""
    links: dict[int, list[tuple[int, int]]] = {}
    for link_id, item_id, country_id in ActionItem.owners.through.objects.filter(
        actionitem_id__in=[record.id for record in records]
    ).values_list("id", "actionitem_id", "country_id"):
        links.setdefault(item_id, []).append((link_id, country_id))
    m2m_history = ActionItem.history.model._meta.get_field(
        "historicalactionitem_owners"
    ).related_model
    m2m_history.objects.bulk_create(
        [
            m2m_history(history=record, id=link_id, actionitem_id=record.id, country_id=country_id)
            for record in records
            for link_id, country_id in links.get(record.id, [])
        ],
        batch_size=BATCH,
    )


def read_and_import(raw: bytes, file_name: str, **kwargs) -> ImportResult:
    """Read an upload and import it; a file that cannot be read gives a failed result."""
    from .tabular import read_table

    try:
        table = read_table(raw, file_name)
    except FileRefused as refusal:
        return ImportResult(file_problems=[Problem(str(refusal))])
    return import_items(table, **kwargs)
