"""Backups restore exactly.

`manage.py backup` and `manage.py restore` round-trip every row of every table (users,
groups and their permissions, focal points, the tracker's tables, the audit history,
sessions, sign-in throttling, staged imports), with the same primary keys, timestamps to
the microsecond and id counters, into a separate, empty database. Both refuse, without
touching anything and without a word of success, a missing file, a file of the wrong kind
and a database that already holds data.

The comparison reads both databases with raw SQL over every table the database has (not
over the models), so a table or column the code forgets is compared all the same.
"""

from __future__ import annotations

import datetime
import io
import os
import secrets
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command, load_command_class
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import translation

from commitments import backups
from commitments.choices import Status
from commitments.models import ActionItem, Country, FocalPoint, StagedImport, StatusUpdate
from commitments.services import item_refresh_status, item_set_status

from .conftest import PASSWORD
from .data import FIXTURES
from .factories import ActionItemFactory

SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"
ON_POSTGRES = connections["default"].vendor == "postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="the default database is not PostgreSQL")


@pytest.fixture(autouse=True)
def in_english():
    """Messages are asserted in English whatever LANGUAGE_CODE says."""
    with translation.override("en"):
        yield


# --- Databases beside the test database ----------------------------------------------------


def server_connection():
    """A psycopg connection to the test server, for creating and dropping scratch databases."""
    import psycopg

    return psycopg.connect(**libpq(connections["default"].settings_dict), autocommit=True)


def libpq(settings_dict: dict) -> dict:
    keys = {
        "HOST": "host",
        "PORT": "port",
        "USER": "user",
        "PASSWORD": "password",
        "NAME": "dbname",
    }
    return {key: settings_dict[name] for name, key in keys.items() if settings_dict.get(name)}


@contextmanager
def database_alias(alias: str, **settings_dict) -> Iterator[BaseDatabaseWrapper]:
    """A connection to another database, reachable as connections[alias] for the commands'
    --database. It is not added to settings.DATABASES: Django's test cases allow connections
    made that way, and pytest-django does not try to create a test database for it."""
    settings_dict = {**connections["default"].settings_dict, **settings_dict}
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = connection
    try:
        yield connection
    finally:
        connection.close()
        del connections[alias]


@contextmanager
def scratch_database(alias: str, tmp_path) -> Iterator[BaseDatabaseWrapper]:
    """A new, empty database of the same kind as the test database, reachable as `alias`:
    a SQLite file under tmp_path, or a PostgreSQL database created (and dropped) here."""
    if not ON_POSTGRES:
        with database_alias(alias, NAME=str(tmp_path / f"{alias}.sqlite3")) as connection:
            yield connection
        return
    name = f"test_backup_scratch_{secrets.token_hex(4)}"
    with server_connection() as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        with database_alias(alias, NAME=name) as connection:
            yield connection
    finally:
        with server_connection() as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database(tmp_path):
    with scratch_database("restored", tmp_path) as connection:
        yield connection


def migrated(connection) -> BaseDatabaseWrapper:
    call_command("migrate", database=connection.alias, verbosity=0)
    return connection


# --- Every row of every table ----------------------------------------------------------------

COUNTERS = "(id counters)"


def every_row(connection, *, leave_out: tuple[str, ...] = ()) -> dict[str, tuple]:
    """Every table of the database behind `connection`, read with raw SQL: its columns and its
    rows (each value as its repr, so 12:00:00.123456 and 12:00:00.123 differ), plus where each
    id counter stands. `leave_out` names tables not to compare."""
    if connection.vendor == "sqlite":
        return _sqlite_rows(connection.settings_dict["NAME"], leave_out)
    return _postgres_rows(connection.settings_dict, leave_out)


def _table(cursor) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    columns = tuple(column[0] for column in cursor.description)
    return columns, sorted(tuple(repr(value) for value in row) for row in cursor.fetchall())


def _sqlite_rows(name: str, leave_out) -> dict[str, tuple]:
    # No type converters: the values as SQLite stores them.
    database = sqlite3.connect(name, uri=name.startswith("file:"))
    try:
        tables = [
            row[0]
            for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0] not in leave_out
        ]
        snapshot = {table: _table(database.execute(f'SELECT * FROM "{table}"')) for table in tables}
    finally:
        database.close()
    if "sqlite_sequence" in snapshot:
        columns, rows = snapshot.pop("sqlite_sequence")
        snapshot[COUNTERS] = (columns, [row for row in rows if row[0][1:-1] not in leave_out])
    return snapshot


def _postgres_rows(settings_dict: dict, leave_out) -> dict[str, tuple]:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**libpq(settings_dict)) as database:
        tables = [
            row[0]
            for row in database.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
            if row[0] not in leave_out
        ]
        snapshot = {
            table: _table(
                database.execute(
                    sql.SQL("SELECT * FROM {}").format(sql.Identifier("public", table))
                )
            )
            for table in tables
        }
        columns, rows = _table(
            database.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
        )
    snapshot[COUNTERS] = (
        columns,
        [row for row in rows if not row[0][1:-1].startswith(tuple(f"{t}_" for t in leave_out))],
    )
    return snapshot


def differences(source: dict, restored: dict) -> list[str]:
    """What differs between two snapshots, table by table; empty when they are identical."""
    found = []
    for table in sorted(source.keys() | restored.keys()):
        if table not in restored:
            found.append(f"{table}: missing from the restored database")
            continue
        if table not in source:
            found.append(f"{table}: not in the source database")
            continue
        (columns, rows), (restored_columns, restored_rows) = source[table], restored[table]
        if columns != restored_columns:
            found.append(f"{table}: columns {columns} came back as {restored_columns}")
        lost = Counter(rows) - Counter(restored_rows)
        gained = Counter(restored_rows) - Counter(rows)
        found += [f"{table}: lost {row}" for row in sorted(lost)[:3]]
        found += [f"{table}: gained {row}" for row in sorted(gained)[:3]]
    return found


# --- A tracker with a past --------------------------------------------------------------------

EXACT_MOMENT = datetime.datetime(2016, 7, 1, 9, 30, 15, 123457, tzinfo=datetime.UTC)


@pytest.fixture
def tracker_with_a_past(role_editor, administrator, focal_point, client) -> dict:
    """The shipped statement, then a few years of work on it: people in every role, sourced
    status updates by several of them, edits (several history rows per item), owners changed,
    an update deleted from the middle, and items deleted (their history stays), one of them
    the newest item, so only the id counter remembers its id."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    turkmenistan, kazakhstan = Country.objects.get(code="TM"), Country.objects.get(code="KZ")

    User.objects.create_superuser("root.aida", password=PASSWORD)
    reviewers = Group.objects.create(name="Reviewers")
    reviewers.permissions.set(Permission.objects.filter(codename__startswith="view_"))
    role_editor.groups.add(reviewers)
    focal_point.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    focal_point.focal_point.countries.add(kazakhstan)

    items = list(ActionItem.objects.order_by("pk")[:4])
    for n, (item, user) in enumerate(
        zip(items, [role_editor, administrator, role_editor, None], strict=True)
    ):
        item_set_status(
            item=item,
            status=Status.IN_PROGRESS,
            date=datetime.date(2015, 3, 1 + n),
            source_url=SOURCE,
            user=user,
            note_ja="協議が始まった。",
            note_en="Talks began.",
        )
        item_set_status(
            item=item,
            status=Status.COMPLETED,
            date=datetime.date(2016, 7, 1 + n),
            source_url=SOURCE,
        )
    edited = items[0]
    for title in ["First wording", "Second wording", "Third wording"]:
        edited.title_en = title
        edited.save()
    edited.owners.set([turkmenistan])
    edited.owners.set([turkmenistan, kazakhstan])
    items[1].updates.order_by("pk").first().delete()
    item_refresh_status(item=items[1])
    exact = items[2].updates.order_by("pk").first()
    StatusUpdate.objects.filter(pk=exact.pk).update(recorded_at=EXACT_MOMENT)

    middle = ActionItem.objects.order_by("pk")[10]
    newest = ActionItemFactory(owners=[turkmenistan])
    item_set_status(
        item=newest, status=Status.STALLED, date=datetime.date(2018, 1, 2), source_url=SOURCE
    )
    newest.title_en = "Renamed before it was deleted"
    newest.save()
    ids = {"exact update": exact.pk, "deleted": middle.pk, "deleted newest": newest.pk}
    for item in [middle, newest]:
        for update in item.updates.all():
            update.delete()
        item.delete()

    client.force_login(administrator)  # a session
    LogEntry.objects.create(
        user=administrator,
        content_type=ContentType.objects.get_for_model(ActionItem),
        object_id=str(edited.pk),
        object_repr=str(edited)[:200],
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Title"]}}]',
    )
    AccessAttempt.objects.create(
        username="focal.tm",
        ip_address="192.0.2.7",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/admin/login/",
        get_data="",
        post_data="username=focal.tm",
        failures_since_start=3,
    )
    StagedImport.objects.create(
        token=secrets.token_hex(32),
        kind=StagedImport.Kind.ITEMS,
        user=role_editor,
        session_key_hash="0" * 64,
        file_name="項目.csv",
        file_format="csv",
        content=b"\xef\xbb\xbfdocument,ref\r\n\x00\xff\x81",
        snapshot={"17": 3, "note": "改訂"},
    )

    # What the comparison is about to rely on is really there.
    history = ActionItem.history.model.objects
    assert history.filter(id=edited.pk).count() >= 4
    assert history.filter(id=ids["deleted newest"], history_type="-").exists()
    assert not ActionItem.objects.filter(pk__gte=ids["deleted newest"]).exists()
    assert ActionItem.objects.count() < ActionItem.objects.order_by("-pk").first().pk
    assert FocalPoint.objects.get(user=focal_point).countries.count() == 2
    assert StatusUpdate.objects.filter(recorded_at=EXACT_MOMENT).exists()
    return ids


def backed_up(tmp_path, format: str) -> str:
    path = str(tmp_path / ("backup.json" if format == "json" else "backup.native"))
    out = io.StringIO()
    call_command("backup", path, format=format, stdout=out)
    assert "Backed up" in out.getvalue()
    return path


def restore(path: str, connection, **options) -> str:
    out = io.StringIO()
    call_command("restore", path, database=connection.alias, stdout=out, **options)
    return out.getvalue()


def refusal(path: str, connection=None, **options) -> str:
    """Run a restore that must be refused; the message it gave. It must not claim success."""
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "restore",
            path,
            database=(connection.alias if connection else "default"),
            stdout=out,
            **options,
        )
    assert out.getvalue() == ""
    return str(refused.value)


# --- Round trips ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_native_backup_restores_every_row_of_every_table_into_an_empty_database(
    tracker_with_a_past, empty_database, tmp_path
):
    source = every_row(connections["default"])
    path = backed_up(tmp_path, "native")

    assert "Restored" in restore(path, empty_database)

    # Everything, Django's migration record and the id counters included.
    assert differences(source, every_row(empty_database)) == []
    assert every_row(connections["default"]) == source  # the source is untouched


@pytest.mark.django_db(transaction=True)
def test_a_json_backup_restores_every_row_of_every_table_into_a_migrated_empty_database(
    tracker_with_a_past, empty_database, tmp_path
):
    migrated(empty_database)
    source = every_row(connections["default"], leave_out=("django_migrations",))
    path = backed_up(tmp_path, "json")

    assert "Restored" in restore(path, empty_database, format="json")

    # Django's migration record is the target's own (migrate wrote it; the restore checks it
    # lists the same migrations); every other table, and every id counter, is the source's.
    assert differences(source, every_row(empty_database, leave_out=("django_migrations",))) == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_json_backup_moves_a_postgres_database_to_sqlite_and_back_unchanged(
    tracker_with_a_past, empty_database, tmp_path
):
    """PostgreSQL → JSON → SQLite → JSON → PostgreSQL: both directions of a move between
    database kinds, checked against the original row by row."""
    source = every_row(connections["default"], leave_out=("django_migrations",))
    migrated(empty_database)
    sqlite_file = str(tmp_path / "hop.sqlite3")
    with database_alias("hop", ENGINE="django.db.backends.sqlite3", NAME=sqlite_file, OPTIONS={}):
        migrated(connections["hop"])
        restore(backed_up(tmp_path, "json"), connections["hop"], format="json")
        from_sqlite = str(tmp_path / "from-sqlite.json")
        call_command("backup", from_sqlite, format="json", database="hop", stdout=io.StringIO())

    restore(from_sqlite, empty_database, format="json")

    assert differences(source, every_row(empty_database, leave_out=("django_migrations",))) == []


@pytest.mark.django_db(transaction=True)
def test_the_comparison_notices_one_microsecond_and_one_missing_row(
    tracker_with_a_past, empty_database, tmp_path
):
    source = every_row(connections["default"])
    restore(backed_up(tmp_path, "native"), empty_database)
    with empty_database.cursor() as cursor:
        one_microsecond_later = EXACT_MOMENT + datetime.timedelta(microseconds=1)
        cursor.execute(
            "UPDATE commitments_statusupdate SET recorded_at = %s WHERE id = %s",
            [
                empty_database.ops.adapt_datetimefield_value(one_microsecond_later),
                tracker_with_a_past["exact update"],
            ],
        )
        cursor.execute(
            "DELETE FROM commitments_historicalactionitem WHERE id = %s",
            [tracker_with_a_past["deleted newest"]],
        )

    found = differences(source, every_row(empty_database))

    assert any(line.startswith("commitments_statusupdate: lost") for line in found)
    assert any(line.startswith("commitments_statusupdate: gained") for line in found)
    assert any(line.startswith("commitments_historicalactionitem: lost") for line in found)


def test_the_json_format_keeps_what_djangos_serializer_drops():
    """Why the JSON backup writes its own rows: Django's encoder cuts timestamps to
    milliseconds; the backup keeps every microsecond, and bytes and JSON values as they are."""
    at = models.DateTimeField()
    at.attname = "at"
    content = models.BinaryField()
    content.attname = "content"
    snapshot = models.JSONField()
    snapshot.attname = "snapshot"

    assert DjangoJSONEncoder().default(EXACT_MOMENT) == "2016-07-01T09:30:15.123Z"
    assert backups.encode(at, EXACT_MOMENT) == "2016-07-01T09:30:15.123457+00:00"
    assert backups.decode(at, backups.encode(at, EXACT_MOMENT)) == EXACT_MOMENT
    raw = b"\x00\xff\x81"
    assert bytes(backups.decode(content, backups.encode(content, raw))) == raw
    assert backups.decode(snapshot, backups.encode(snapshot, {"17": [3]})) == {"17": [3]}


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("format", ["native", "json"])
def test_a_restore_refuses_a_database_that_holds_data_and_force_replaces_it(
    format, empty_database, tmp_path
):
    ActionItemFactory()
    source = every_row(connections["default"], leave_out=("django_migrations",))
    path = backed_up(tmp_path, format)
    if format == "json":
        migrated(empty_database)
    restore(path, empty_database, format=format)
    with empty_database.cursor() as cursor:
        cursor.execute("DELETE FROM commitments_historicalactionitem")
    changed = every_row(empty_database)

    message = refusal(path, empty_database, format=format)

    assert "already holds data" in message and "--force" in message
    assert every_row(empty_database) == changed
    assert "Restored" in restore(path, empty_database, format=format, force=True)
    assert differences(source, every_row(empty_database, leave_out=("django_migrations",))) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("format", ["native", "json"])
def test_a_restore_refuses_the_database_the_site_is_using_when_it_holds_data(format, tmp_path):
    ActionItemFactory()
    path = backed_up(tmp_path, format)
    before = every_row(connections["default"])

    assert "already holds data" in refusal(path, format=format)
    assert every_row(connections["default"]) == before


@pytest.mark.django_db
@pytest.mark.parametrize("format", ["native", "json"])
def test_a_restore_refuses_a_missing_file(format, tmp_path):
    missing = str(tmp_path / "no-such-backup")

    assert refusal(missing, format=format) == f"There is no file “{missing}”."


def a_file(tmp_path, kind: str) -> str:
    path = tmp_path / f"file-{kind}"
    if kind == "text":
        path.write_text("pg_dump: error: connection refused\n")
    elif kind == "fixture":
        return FIXTURES[0]
    elif kind == "other json":
        path.write_text('{"format": "something else", "tables": []}')
    elif kind == "other sqlite":
        database = sqlite3.connect(path)
        database.execute("CREATE TABLE notes (id integer primary key, text text)")
        database.commit()
        database.close()
    return str(path)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("format", "kind", "expected"),
    [
        ("native", "json backup", "restore it with --format=json"),
        ("native", "text", "is not a"),
        ("native", "other sqlite", "not of this tracker" if not ON_POSTGRES else "SQLite database"),
        ("json", "native backup", "is not a JSON backup"),
        ("json", "fixture", "load it with “manage.py loaddata”"),
        ("json", "other json", "is not a JSON backup"),
        ("json", "text", "is not a JSON backup"),
    ],
)
def test_a_restore_refuses_a_file_of_the_wrong_kind(format, kind, expected, tmp_path):
    if kind.endswith("backup"):
        path = backed_up(tmp_path, "json" if kind == "json backup" else "native")
    else:
        path = a_file(tmp_path, kind)
    before = every_row(connections["default"])

    message = refusal(path, format=format)

    assert path in message and expected in message
    assert every_row(connections["default"]) == before


@pytest.mark.django_db(transaction=True)
def test_a_json_restore_refuses_an_unmigrated_database_and_one_at_other_migrations(
    empty_database, tmp_path
):
    path = backed_up(tmp_path, "json")

    assert "Run “manage.py migrate” on it first" in refusal(path, empty_database, format="json")

    migrated(empty_database)
    with empty_database.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'sessions' AND name = '0001_initial'"
        )
    message = refusal(path, empty_database, format="json")
    assert "other migrations" in message and "only in the backup: sessions.0001_initial" in message


@pytest.mark.django_db(transaction=True)
def test_a_backup_that_cannot_be_written_reports_it_and_leaves_no_file(tmp_path):
    path = tmp_path / "no-such-folder" / "backup.native"
    for format in ["native", "json"]:
        out = io.StringIO()
        with pytest.raises(CommandError, match="does not exist"):
            call_command("backup", str(path), format=format, stdout=out)
        assert out.getvalue() == ""
    assert not path.parent.exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_failed_pg_dump_reports_its_error_and_leaves_no_file(tmp_path):
    path = tmp_path / "backup.native"
    out = io.StringIO()
    with (
        database_alias("gone", NAME="test_backup_no_such_database"),
        pytest.raises(CommandError, match="pg_dump failed") as failed,
    ):
        call_command("backup", str(path), database="gone", stdout=out)

    assert "test_backup_no_such_database" in str(failed.value)
    assert out.getvalue() == ""
    assert list(tmp_path.iterdir()) == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_postgres_restore_refuses_a_database_with_tables_the_backup_lacks(
    empty_database, tmp_path
):
    path = backed_up(tmp_path, "native")
    with empty_database.cursor() as cursor:
        cursor.execute("CREATE TABLE stray_report (id integer)")

    message = refusal(path, empty_database, force=True)

    assert "tables the backup does not have (stray_report)" in message
    assert backups.tables_holding_data(empty_database) == []


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_the_commands_explain_their_options(command):
    text = (
        load_command_class("commitments", command).create_parser("manage.py", command).format_help()
    )

    assert "--format {native,json}" in text and "portable" in text and "--database" in text


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_the_commands_refuse_a_database_that_settings_do_not_name(command, tmp_path):
    path = tmp_path / "backup.json"

    with pytest.raises(CommandError) as refused:
        call_command(command, str(path), "--format=json", "--database=nowhere")

    assert str(refused.value) == "There is no database “nowhere” in settings.DATABASES."
    assert not path.exists()


def test_a_refused_restore_exits_non_zero_and_says_why_on_the_command_line(tmp_path):
    missing = tmp_path / "missing.native"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "SECRET_KEY": "test-only",
        "ALLOWED_HOSTS": "localhost",
        "LANGUAGE_CODE": "en",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
    }
    completed = subprocess.run(
        [sys.executable, "manage.py", "restore", str(missing)],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode != 0
    assert f"There is no file “{missing}”." in completed.stderr
    assert "Restored" not in completed.stdout
