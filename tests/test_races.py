"""Two writers on two real database connections at the same time (issue 15).

tests/test_concurrency.py covers what one connection can show: a stale form is refused, an
import makes an open form stale. Here each writer runs in its own thread, so on its own
connection and in its own transaction, and the interleaving is forced, not hoped for: a
writer is held at a chosen SQL statement (`Hold`), the other is started, and the test waits
until the database reports it waiting for a lock (or finished) before letting the first go.

The protections these races exercise:

- the import holds its documents, then its items, `select_for_update` from planning to
  writing (commitments/importing/items.py, `_plan_and_write`);
- `item_set_status` locks the item before it reads the item's updates (services.py);
- neither of those locks the rows its query merely joins (`of=("self",)`): taken in
  different orders by different writers, those extra locks deadlock (sections 1 and 4);
- the optimistic lock on the item's version, on the item's own page and in the item inline
  of its paragraph's page (admin.py, `ActionItemAdminForm`).

The threaded tests need PostgreSQL (SQLite in tests is one shared in-memory database, whose
locks fail at once instead of waiting, and only PostgreSQL says who waits for a lock); the
admin tests of section 3 run on any database.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import threading
import time
from contextlib import nullcontext

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from commitments.choices import Status
from commitments.importing.items import import_items
from commitments.importing.tabular import read_table
from commitments.models import ActionItem
from commitments.services import derive_status, item_set_status

from .factories import ActionItemFactory, CountryFactory, ParagraphFactory
from .test_admin import form_data

SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"
ORIGINAL_TITLE = "Hold the sixth Foreign Ministers' Meeting"
MAY_2016 = datetime.date(2016, 5, 1)
JUNE_2015 = datetime.date(2015, 6, 1)
#: Seconds any one step may take before the test gives up (a hung thread fails, not hangs).
TIMEOUT = 15

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two writers need two connections that wait for each other's locks: PostgreSQL only",
)


def threaded(test):
    """Each writer's thread sees only what the others committed: no test transaction."""
    return on_postgresql(pytest.mark.django_db(transaction=True)(test))


FIRST_WRITE = r"^\s*(INSERT|UPDATE|DELETE)\b"
DOCUMENT_LOCK = r'FROM "commitments_document".*FOR UPDATE'
ITEM_LOCK = r'FROM "commitments_actionitem".*FOR UPDATE'


# --- two connections, one interleaving ---------------------------------------------------


class Hold:
    """An execute wrapper that stops its thread at the first statement matching `pattern`
    (just before running it, or just after) until the test releases it."""

    def __init__(self, pattern: str, *, after: bool = False):
        self.pattern = re.compile(pattern, re.S)
        self.after = after
        self.reached = threading.Event()
        self.released = threading.Event()

    def __call__(self, execute, sql, params, many, context):
        if not self.after:
            self._maybe_wait(sql)
        result = execute(sql, params, many, context)
        if self.after:
            self._maybe_wait(sql)
        return result

    def _maybe_wait(self, sql: str) -> None:
        if self.reached.is_set() or not self.pattern.search(sql):
            return
        self.reached.set()
        if not self.released.wait(TIMEOUT):
            raise AssertionError("the test never released this writer")


class Writer(threading.Thread):
    """Runs `work` on the thread's own database connection and keeps what it returned or
    raised."""

    def __init__(self, name: str, work, hold: Hold | None = None):
        super().__init__(name=name, daemon=True)
        self.work, self.hold = work, hold
        self.started_up = threading.Event()
        self.pid: int | None = None
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started_up.set()
            with connection.execute_wrapper(self.hold) if self.hold else nullcontext():
                self.result = self.work()
        except BaseException as error:  # reported by finish(), never lost
            self.error = error
        finally:
            self.started_up.set()
            connections.close_all()  # this thread's connections only

    def begin(self) -> Writer:
        self.start()
        assert self.started_up.wait(TIMEOUT), f"{self.name} did not start"
        return self

    def finish(self):
        if self.hold:
            self.hold.released.set()
        self.join(TIMEOUT)
        assert not self.is_alive(), f"{self.name} is still running"
        if self.error is not None:
            raise AssertionError(f"{self.name} failed: {self.error!r}") from self.error
        return self.result


@pytest.fixture
def writers():
    """Start writers with `writers(name, work, hold)`; any left running are let go and
    joined before the database is flushed (a thread holding a lock would hang the flush)."""
    started: list[Writer] = []

    def start(name: str, work, hold: Hold | None = None) -> Writer:
        writer = Writer(name, work, hold).begin()
        started.append(writer)
        return writer

    yield start
    for writer in started:
        if writer.hold:
            writer.hold.released.set()
        writer.join(TIMEOUT)


def held(writer: Writer) -> Writer:
    """Wait until `writer` stands at its Hold, its transaction open and its locks taken."""
    deadline = time.monotonic() + TIMEOUT
    while not writer.hold.reached.wait(0.01):
        assert writer.is_alive(), f"{writer.name} ended before its hold: {writer.error!r}"
        assert time.monotonic() < deadline, f"{writer.name} never reached its hold"
    return writer


def waits_for_a_lock(writer: Writer) -> bool:
    """True once the database shows `writer` waiting for a lock; False if it finished first."""
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            if not writer.is_alive():
                return False
            cursor.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [writer.pid]
            )
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
            time.sleep(0.01)
    raise AssertionError(f"{writer.name} neither finished nor waited for a lock")


# --- data --------------------------------------------------------------------------------


@pytest.fixture
def item():
    return ActionItemFactory(
        paragraph=ParagraphFactory(number=25),
        ref="25.2",
        title_en=ORIGINAL_TITLE,
        owners=[CountryFactory(code="TM")],
    )


@pytest.fixture
def importer(editor):
    """Runs the imports: editor.aigul."""
    return editor


@pytest.fixture
def updater(role_editor):
    """Records status updates on the item's page (and runs the second import): editor.nurlan."""
    return role_editor


def row_for(item: ActionItem, **cells) -> dict[str, str]:
    """The identifying columns of `item` as an export writes them, plus `cells`."""
    return {
        "document": item.document.slug,
        "ref": item.ref,
        "paragraph": str(item.paragraph.number),
        "kind": item.kind,
        "owners": ";".join(sorted(item.owners.values_list("code", flat=True))),
        "theme": item.theme.slug,
        **cells,
    }


def status_cells(status: str, date: datetime.date) -> dict[str, str]:
    return {"status": status, "status_date": date.isoformat(), "source_url": SOURCE}


def importing(rows: list[dict[str, str]], user):
    """The work of a CLI import of a CSV file holding `rows`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    table = read_table(out.getvalue().encode(), "items.csv")
    return lambda: import_items(table, user=user, commit=True)


def setting_status(item: ActionItem, status: str, date: datetime.date, user):
    """The work of a status update recorded on the item's page."""
    pk = item.pk
    return lambda: item_set_status(
        item=ActionItem.objects.get(pk=pk), status=status, date=date, source_url=SOURCE, user=user
    )


def assert_shows_its_newest_update(item: ActionItem) -> None:
    item.refresh_from_db()
    owner_ids = list(item.owners.values_list("pk", flat=True))
    assert (item.status, item.status_date) == derive_status(list(item.updates.all()), owner_ids)


def recorded(item: ActionItem) -> dict[tuple[str, datetime.date], tuple[str, str]]:
    """Each update of the item: (status, date) -> (previous status, who recorded it)."""
    return {
        (u.status, u.date): (u.previous_status, u.recorded_by.username)
        for u in item.updates.select_related("recorded_by")
    }


# 1. An import and a status update on the same item.


@threaded
def test_a_status_update_waits_for_an_import_holding_the_item_then_builds_on_it(
    writers, item, importer, updater
):
    """Guards the import's item lock: without it the update lands between the import's plan
    and its write, and the import then writes the status it planned, hiding the newer one."""
    import_ = writers(
        "import",
        importing([row_for(item, **status_cells(Status.IN_PROGRESS, JUNE_2015))], importer),
        Hold(FIRST_WRITE),
    )
    held(import_)
    update = writers("status update", setting_status(item, Status.COMPLETED, MAY_2016, updater))

    assert waits_for_a_lock(update), "the status update did not wait for the import"
    result = import_.finish()
    update.finish()

    assert result.committed, result.problems
    assert recorded(item) == {
        (Status.IN_PROGRESS, JUNE_2015): (Status.NOT_ASSESSED, "editor.aigul"),
        (Status.COMPLETED, MAY_2016): (Status.IN_PROGRESS, "editor.nurlan"),
    }
    assert_shows_its_newest_update(item)
    assert (item.status, item.status_date) == (Status.COMPLETED, MAY_2016)


@threaded
def test_an_import_waits_for_a_status_update_holding_the_item_then_plans_on_it(
    writers, item, importer, updater
):
    """Guards the import's locks taken before it plans (the update is invisible to it until
    committed): without them the import records its update over a history it never saw."""
    update = writers(
        "status update",
        setting_status(item, Status.IN_PROGRESS, JUNE_2015, updater),
        Hold(r'^\s*INSERT INTO "commitments_statusupdate"'),
    )
    held(update)
    import_ = writers(
        "import",
        importing([row_for(item, **status_cells(Status.COMPLETED, MAY_2016))], importer),
    )

    assert waits_for_a_lock(import_), "the import did not wait for the status update"
    update.finish()
    result = import_.finish()

    assert result.committed, result.problems
    assert recorded(item) == {
        (Status.IN_PROGRESS, JUNE_2015): (Status.NOT_ASSESSED, "editor.nurlan"),
        (Status.COMPLETED, MAY_2016): (Status.IN_PROGRESS, "editor.aigul"),
    }
    assert_shows_its_newest_update(item)
    assert (item.status, item.status_date) == (Status.COMPLETED, MAY_2016)


@threaded
def test_a_status_update_between_the_imports_two_locks_does_not_deadlock(
    writers, item, importer, updater
):
    """The import locks the document, then the item. A status update that arrives in between
    must not lock the document after the item (that order deadlocks: PostgreSQL aborts one of
    the two, and a person or an import gets a database error)."""
    import_ = writers(
        "import",
        importing([row_for(item, **status_cells(Status.IN_PROGRESS, JUNE_2015))], importer),
        Hold(DOCUMENT_LOCK, after=True),
    )
    held(import_)
    update = writers("status update", setting_status(item, Status.COMPLETED, MAY_2016, updater))
    waits_for_a_lock(update)  # finished, or waiting: either way the import goes on now

    result = import_.finish()
    update.finish()

    assert result.committed, result.problems
    assert set(recorded(item)) == {(Status.IN_PROGRESS, JUNE_2015), (Status.COMPLETED, MAY_2016)}
    assert_shows_its_newest_update(item)
    assert (item.status, item.status_date) == (Status.COMPLETED, MAY_2016)


# 2. Two imports at once.


@threaded
def test_two_imports_of_the_same_new_ref_take_turns_and_the_second_finds_it_made(
    writers, item, importer, updater
):
    """Guards the import's document lock, the only thing that orders two imports of a ref
    that does not exist yet: without it both plan "new" and the second fails on the unique
    ref, though its row asked for nothing the first had not done."""
    new_row = row_for(item, ref="25.9", title_en="Open a Japan Centre in Ashgabat")
    first = writers("first import", importing([new_row], importer), Hold(FIRST_WRITE))
    held(first)
    second = writers("second import", importing([new_row], updater))

    assert waits_for_a_lock(second), "the second import did not wait for the first"
    first_result = first.finish()
    second_result = second.finish()

    assert first_result.committed and first_result.counts["new"] == 1
    assert second_result.committed, second_result.problems
    assert second_result.counts == {"new": 0, "update": 0, "unchanged": 1, "error": 0}
    made = ActionItem.objects.get(document=item.document, ref="25.9")
    assert (made.title_en, made.version) == ("Open a Japan Centre in Ashgabat", 1)
    assert list(made.history.values_list("history_type", "history_user__username")) == [
        ("+", "editor.aigul")
    ]


@threaded
def test_of_two_imports_editing_one_exported_item_the_second_is_refused_and_says_why(
    writers, item, importer, updater
):
    """Both files were exported at version 1. Guards the import's locks (document, then
    item): without them both plan against version 1 and the second silently writes the old
    title back over the first import's edit."""
    exported = row_for(item, title_en=ORIGINAL_TITLE, due_text="", version="1")
    first = writers(
        "first import",
        importing([{**exported, "title_en": "Hold the sixth meeting in Ashgabat"}], importer),
        Hold(FIRST_WRITE),
    )
    held(first)
    second = writers("second import", importing([{**exported, "due_text": "2016年"}], updater))

    assert waits_for_a_lock(second), "the second import did not wait for the first"
    assert first.finish().committed
    second_result = second.finish()

    assert not second_result.committed
    (problem,) = second_result.problems
    # The message is in the importing thread's language (Japanese by default), so check what
    # every language says: the column, who changed it, and the two versions.
    assert problem.column == "version"
    assert "editor.aigul" in problem.message
    assert "1" in problem.message and "2" in problem.message
    item.refresh_from_db()
    assert (item.title_en, item.due_text, item.version) == (
        "Hold the sixth meeting in Ashgabat",
        "",
        2,
    )


@threaded
def test_two_imports_updating_one_items_status_both_count_and_the_newest_shows(
    writers, item, importer, updater
):
    """The second import's update is older than the first's. Guards the import's locks:
    without them the second plans without the first's update and writes its own, older
    status over the newer one."""
    first = writers(
        "first import",
        importing([row_for(item, **status_cells(Status.COMPLETED, MAY_2016))], importer),
        Hold(FIRST_WRITE),
    )
    held(first)
    second = writers(
        "second import",
        importing([row_for(item, **status_cells(Status.IN_PROGRESS, JUNE_2015))], updater),
    )

    assert waits_for_a_lock(second), "the second import did not wait for the first"
    assert first.finish().committed
    second_result = second.finish()

    assert second_result.committed, second_result.problems
    assert recorded(item) == {
        (Status.COMPLETED, MAY_2016): (Status.NOT_ASSESSED, "editor.aigul"),
        (Status.IN_PROGRESS, JUNE_2015): (Status.NOT_ASSESSED, "editor.nurlan"),
    }
    assert_shows_its_newest_update(item)
    assert (item.status, item.status_date) == (Status.COMPLETED, MAY_2016)


# 3. The item's own page and its paragraph's page, open at once (one process, two people).


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def item_url(item) -> str:
    return reverse("admin:commitments_actionitem_change", args=[item.pk])


def paragraph_url(item) -> str:
    return reverse("admin:commitments_paragraph_change", args=[item.paragraph_id])


def open_page(client: Client, url: str, form_id: str) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    return form_data(page, form_id)


def inline_prefix(form: dict, item) -> str:
    """The item's row in the paragraph page's inline: "items-0", …"""
    (prefix,) = [
        name.removesuffix("-id")
        for name, value in form.items()
        if name.startswith("items-") and name.endswith("-id") and value == [str(item.pk)]
    ]
    return prefix


def post(client: Client, url: str, form: dict, **changes: str):
    data = dict(form) | {name: [value] for name, value in changes.items()}
    data["_save"] = ["Save"]
    return client.post(url, data)


def inline_errors(response) -> list[str]:
    assert response.status_code == 200, "the paragraph page's save was accepted"
    return [
        str(error)
        for inline in response.context["inline_admin_formsets"]
        for form in inline.formset.forms
        for error in form.non_field_errors()
    ]


def item_form_errors(response) -> list[str]:
    assert response.status_code == 200, "the item page's save was accepted"
    return list(response.context["adminform"].form.non_field_errors())


@pytest.mark.django_db
def test_an_item_page_opened_before_an_inline_edit_is_refused_and_the_inline_edit_stays(
    editor, role_editor, item
):
    """Guards the version check of the item's own form against edits made elsewhere."""
    aigul, nurlan = signed_in(editor), signed_in(role_editor)
    item_form = open_page(aigul, item_url(item), "actionitem_form")
    paragraph_form = open_page(nurlan, paragraph_url(item), "paragraph_form")
    row = inline_prefix(paragraph_form, item)
    assert paragraph_form[f"{row}-expected_version"] == ["1"]

    inline_save = post(nurlan, paragraph_url(item), paragraph_form, **{f"{row}-due_text": "2016年"})
    assert inline_save.status_code == 302
    response = post(aigul, item_url(item), item_form, title_en="Hold the sixth meeting in Tokyo")

    (error,) = item_form_errors(response)
    assert "changed by editor.nurlan" in error
    assert "Reload the page" in error
    item.refresh_from_db()
    assert (item.title_en, item.due_text, item.version) == (ORIGINAL_TITLE, "2016年", 2)


@pytest.mark.django_db
def test_an_inline_row_opened_before_an_item_page_edit_is_refused_and_the_edit_stays(
    editor, role_editor, item
):
    """Guards the version check in the paragraph page's item inline."""
    aigul, nurlan = signed_in(editor), signed_in(role_editor)
    paragraph_form = open_page(nurlan, paragraph_url(item), "paragraph_form")
    row = inline_prefix(paragraph_form, item)
    item_form = open_page(aigul, item_url(item), "actionitem_form")

    item_save = post(aigul, item_url(item), item_form, title_en="Hold the sixth meeting in Tokyo")
    assert item_save.status_code == 302
    response = post(nurlan, paragraph_url(item), paragraph_form, **{f"{row}-due_text": "2016年"})

    (error,) = inline_errors(response)
    assert "changed by editor.aigul" in error
    assert "Reload the page" in error
    item.refresh_from_db()
    assert (item.title_en, item.due_text, item.version) == (
        "Hold the sixth meeting in Tokyo",
        "",
        2,
    )


# 4. An import and the paragraph's page at once.


@threaded
def test_an_import_and_an_inline_edit_in_the_same_paragraph_do_not_deadlock(
    writers, item, importer, role_editor
):
    """The paragraph's page locks the item it edits, then saves the paragraph; an import of
    two of the paragraph's items locks them in turn. The import must lock the items alone:
    if it also locks the rows it joins (paragraph, document, theme), it holds the paragraph
    while it waits for the second item, and the page waits for the paragraph: a deadlock."""
    later = ActionItemFactory(paragraph=item.paragraph, ref="25.3", owners=list(item.owners.all()))
    assert item.pk < later.pk  # the import locks 25.2 first, then waits for 25.3
    nurlan = signed_in(role_editor)
    paragraph_form = open_page(nurlan, paragraph_url(later), "paragraph_form")
    row = inline_prefix(paragraph_form, later)
    page = writers(
        "paragraph page",
        lambda: post(nurlan, paragraph_url(later), paragraph_form, **{f"{row}-due_text": "2016年"}),
        Hold(ITEM_LOCK, after=True),
    )
    held(page)
    import_ = writers(
        "import",
        importing(
            [
                row_for(item, **status_cells(Status.COMPLETED, MAY_2016)),
                row_for(later, **status_cells(Status.COMPLETED, MAY_2016)),
            ],
            importer,
        ),
    )

    assert waits_for_a_lock(import_), "the import did not wait for the page"
    assert page.finish().status_code == 302
    result = import_.finish()

    assert result.committed, result.problems
    item.refresh_from_db()
    later.refresh_from_db()
    assert item.status == Status.COMPLETED
    assert (later.due_text, later.version, later.status) == ("2016年", 2, Status.COMPLETED)
