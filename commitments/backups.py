"""Backups that restore exactly: every row of every table, with its primary key, its
timestamps to the microsecond, and the id counters, so that a deleted item's id is never
handed out again (its audit history would otherwise attach to the new item).

Two formats, used by the `backup` and `restore` commands:

* native: the database's own copy. PostgreSQL: `pg_dump --format=custom`, restored with
  `pg_restore`. SQLite: the online backup API (a consistent copy while the site runs),
  restored with the same API. Schema, migration history and id counters travel with the
  data, so a backup made by an older version is brought up to date with `migrate`.
* json: the rows of every table of every installed app, written here rather than by
  `dumpdata`, which keeps only milliseconds of a timestamp (DjangoJSONEncoder), reads
  translated fields through modeltranslation's descriptors (so the base column comes back
  in whichever language is active), renumbers many-to-many rows (and, through
  simple-history's m2m_changed handler, writes new history rows while loading), and leaves
  the id counters at the highest remaining id. It restores into a database of either kind
  migrated by the same version of the tracker: the way to move from SQLite to PostgreSQL.

Both restores refuse a target that already holds data (anything beyond what `migrate`
itself writes) unless forced, and refuse files of the wrong kind before touching anything.
"""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connections,
    models,
    router,
    transaction,
)
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.connection import ConnectionDoesNotExist
from django.utils.translation import gettext as _

FORMAT = "commitment-tracker-backup"
FORMAT_VERSION = 1
BATCH_SIZE = 1000

# What a file looks like from its first bytes.
POSTGRES_DUMP = "postgres"
SQLITE_FILE = "sqlite"
JSON_BACKUP = "json"
JSON_FIXTURE = "fixture"
UNKNOWN = "unknown"


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the person running it."""


@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    pending_migrations: int = 0


def app_label() -> str:
    return apps.get_containing_app_config(__name__).label


# --- Which tables, and are they empty? --------------------------------------------------


def migrate_tables() -> set[str]:
    """Tables that `migrate` fills in a new database (content types, permissions, the role
    groups, the data-version row): a restore may replace their rows without losing anything."""
    data_version = apps.get_model(app_label(), "DataVersion")
    return {
        model._meta.db_table
        for model in (ContentType, Permission, Group, Group.permissions.through, data_version)
    } | {MigrationRecorder.Migration._meta.db_table}


def tables_holding_data(connection) -> list[str]:
    """Tables of the database (any table, not only the tracker's) that hold a row `migrate`
    would not have written."""
    skip = migrate_tables()
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in skip:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                found.append(table)
    return found


def refuse_unless_empty(connection, *, force: bool) -> None:
    if force:
        return
    holding = tables_holding_data(connection)
    if holding:
        shown = ", ".join(holding[:5]) + (", …" if len(holding) > 5 else "")
        raise BackupError(
            _(
                "The database “%(name)s” already holds data (in %(tables)s). Restore into an "
                "empty database, or add --force to replace everything in it."
            )
            % {"name": connection.settings_dict["NAME"], "tables": shown}
        )


def backed_up_models(connection) -> list[type[models.Model]]:
    """Every model with a table of its own in this database: all installed apps, their
    many-to-many tables and the audit-history tables, in a stable order."""
    chosen: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.can_migrate(connection):
            continue
        if not router.allow_migrate_model(connection.alias, model):
            continue
        chosen.setdefault(model._meta.db_table, model)
    return sorted(chosen.values(), key=lambda model: model._meta.label_lower)


def stored_fields(model) -> list[models.Field]:
    """The columns a row consists of (generated columns are computed, not stored)."""
    return [field for field in model._meta.concrete_fields if not field.generated]


def pending_migrations(connection) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# --- Files --------------------------------------------------------------------------------


def file_kind(path: str) -> str:
    """What `path` holds, from its first bytes; refuses a file that is missing or unreadable."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except FileNotFoundError:
        raise BackupError(_("There is no file “%(path)s”.") % {"path": path}) from None
    except IsADirectoryError:
        raise BackupError(
            _("“%(path)s” is a folder, not a backup file.") % {"path": path}
        ) from None
    except OSError as error:
        raise BackupError(
            _("Cannot read “%(path)s”: %(error)s.") % {"path": path, "error": error.strerror}
        ) from None
    if head.startswith(b"PGDMP"):
        return POSTGRES_DUMP
    if head.startswith(b"SQLite format 3\x00"):
        return SQLITE_FILE
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"{"):
        return JSON_BACKUP
    if text.startswith(b"["):
        return JSON_FIXTURE
    return UNKNOWN


def wrong_kind(path: str, *, expected: str, found: str) -> BackupError:
    first = {
        POSTGRES_DUMP: _(
            "“%(path)s” is not a PostgreSQL backup made by “manage.py backup” (pg_dump custom "
            "format)."
        ),
        SQLITE_FILE: _("“%(path)s” is not a SQLite database backup made by “manage.py backup”."),
        JSON_BACKUP: _("“%(path)s” is not a JSON backup made by “manage.py backup --format=json”."),
    }[expected] % {"path": path}
    hint = {
        POSTGRES_DUMP: _(
            "It is a PostgreSQL backup: restore it into a PostgreSQL database with --format=native."
        ),
        SQLITE_FILE: _(
            "It is a SQLite database: restore it into a SQLite database with --format=native."
        ),
        JSON_BACKUP: _("It looks like a JSON backup: restore it with --format=json."),
        JSON_FIXTURE: _("It is a Django fixture: load it with “manage.py loaddata”."),
    }.get(found, "")
    return BackupError(f"{first} {hint}".strip())


@contextmanager
def written_atomically(path: str) -> Iterator[Path]:
    """Yield a temporary path next to `path`; it becomes `path` only if the block succeeds, so
    a failed backup never leaves a file that looks like a good one."""
    target = Path(path)
    if not target.parent.is_dir():
        raise BackupError(
            _("Cannot write “%(path)s”: the folder %(folder)s does not exist.")
            % {"path": path, "folder": target.parent}
        )
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        yield partial
        os.replace(partial, target)
    except OSError as error:
        raise BackupError(
            _("Cannot write “%(path)s”: %(error)s.") % {"path": path, "error": error.strerror}
        ) from None
    finally:
        partial.unlink(missing_ok=True)


# --- Native: PostgreSQL ---------------------------------------------------------------------


def _conninfo_value(value) -> str:
    """A libpq connection-string value, quoted so no setting can add parameters of its own."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def postgres_command(connection, program: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """Arguments and environment for pg_dump/pg_restore from the connection's settings. The
    password travels in the environment (never on a command line anyone can list)."""
    settings = connection.settings_dict
    _psql_args, env = connection.client.settings_to_cmd_args_env(settings, [])
    conninfo = " ".join(
        f"{key}={_conninfo_value(settings[setting])}"
        for key, setting in [
            ("host", "HOST"),
            ("port", "PORT"),
            ("user", "USER"),
            ("dbname", "NAME"),
        ]
        if settings.get(setting)
    )
    return [program, f"--dbname={conninfo}", *args], {**os.environ, **(env or {})}


def run_program(args: list[str], env: dict[str, str]) -> str:
    program = args[0]
    try:
        completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            _("“%(program)s” is not installed (or not on PATH); PostgreSQL backups need it.")
            % {"program": program}
        ) from None
    if completed.returncode != 0:
        raise BackupError(
            _("%(program)s failed (exit status %(status)s): %(error)s")
            % {
                "program": program,
                "status": completed.returncode,
                "error": completed.stderr.strip() or completed.stdout.strip(),
            }
        )
    return completed.stdout


def postgres_dump_tables(path: str) -> set[str]:
    """The tables a pg_dump custom-format file holds (`pg_restore --list` reads only the file)."""
    listing = run_program(["pg_restore", "--list", str(Path(path).resolve())], dict(os.environ))
    tables = set()
    for line in listing.splitlines():
        parts = line.split()
        # "215; 1259 16390 TABLE public commitments_actionitem owner"
        if len(parts) >= 6 and not line.startswith(";") and parts[3] == "TABLE":
            tables.add(parts[5])
    return tables


def refuse_unless_tracker_tables(path: str, tables: set[str]) -> None:
    ours = {model._meta.db_table for model in apps.get_app_config(app_label()).get_models()}
    if MigrationRecorder.Migration._meta.db_table not in tables or not tables & ours:
        raise BackupError(
            _(
                "“%(path)s” is a database backup, but not of this tracker (it has none of its tables)."
            )
            % {"path": path}
        )


def backup_postgres(connection, path: str) -> None:
    with written_atomically(path) as partial:
        args, env = postgres_command(connection, "pg_dump", "--format=custom", f"--file={partial}")
        run_program(args, env)
        postgres_dump_tables(str(partial))


def restore_postgres(connection, path: str, *, force: bool) -> None:
    found = file_kind(path)
    if found != POSTGRES_DUMP:
        raise wrong_kind(path, expected=POSTGRES_DUMP, found=found)
    in_dump = postgres_dump_tables(path)
    refuse_unless_tracker_tables(path, in_dump)
    refuse_unless_empty(connection, force=force)
    tables = set(connection.introspection.table_names())
    if tables - in_dump:
        # pg_restore --clean replaces only the tables in the dump; the others would stay, and
        # the restored migration record would not know them (a later migrate would fail).
        raise BackupError(
            _(
                "The database “%(name)s” has tables the backup does not have (%(tables)s), "
                "which a restore would leave behind. Restore into a new, empty database "
                "(createdb)."
            )
            % {
                "name": connection.settings_dict["NAME"],
                "tables": ", ".join(sorted(tables - in_dump)[:5]),
            }
        )
    connection.close()
    args, env = postgres_command(
        connection,
        "pg_restore",
        # Restored objects belong to the user the site connects as, whoever made the dump.
        "--no-owner",
        "--no-privileges",
        # All or nothing: the first error stops the restore and undoes it.
        "--exit-on-error",
        "--single-transaction",
        # A migrated database (empty of data, or forced) has the tables already.
        *(["--clean", "--if-exists"] if tables else []),
        str(Path(path).resolve()),
    )
    try:
        run_program(args, env)
    except BackupError as error:
        raise BackupError(
            f"{error} " + _("Nothing was restored: the database is as it was before.")
        ) from None


# --- Native: SQLite -------------------------------------------------------------------------


def _open_sqlite_read_only(path: str) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def check_sqlite_backup(path: str) -> None:
    """Refuse a SQLite file that is damaged or is not a database of this tracker."""
    try:
        source = _open_sqlite_read_only(path)
        try:
            (verdict,) = source.execute("PRAGMA quick_check").fetchone()
            tables = {
                row[0]
                for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            source.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            _("“%(path)s” is damaged: %(error)s.") % {"path": path, "error": error}
        ) from None
    if verdict != "ok":
        raise BackupError(_("“%(path)s” is damaged: %(error)s.") % {"path": path, "error": verdict})
    refuse_unless_tracker_tables(path, tables)


def backup_sqlite(connection, path: str) -> None:
    connection.ensure_connection()
    with written_atomically(path) as partial:
        copy = sqlite3.connect(partial)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        check_sqlite_backup(str(partial))


def restore_sqlite(connection, path: str, *, force: bool) -> None:
    found = file_kind(path)
    if found != SQLITE_FILE:
        raise wrong_kind(path, expected=SQLITE_FILE, found=found)
    check_sqlite_backup(path)
    refuse_unless_empty(connection, force=force)
    # Copy into the connection Django itself uses, so this works for a file and for an
    # in-memory database alike; the backup API replaces the whole target database.
    connection.ensure_connection()
    source = _open_sqlite_read_only(path)
    try:
        source.backup(connection.connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(
            _("Could not restore “%(path)s”: %(error)s.") % {"path": path, "error": error}
        ) from None
    finally:
        source.close()


def backup_native(path: str, *, using: str) -> Summary:
    connection = connections[using]
    if connection.vendor == "postgresql":
        backup_postgres(connection, path)
    elif connection.vendor == "sqlite":
        backup_sqlite(connection, path)
    else:
        raise BackupError(_native_unsupported(connection))
    return Summary()


def restore_native(path: str, *, using: str, force: bool = False) -> Summary:
    connection = connections[using]
    if connection.vendor == "postgresql":
        restore_postgres(connection, path, force=force)
    elif connection.vendor == "sqlite":
        restore_sqlite(connection, path, force=force)
    else:
        raise BackupError(_native_unsupported(connection))
    ContentType.objects.clear_cache()
    return Summary(pending_migrations=pending_migrations(connection))


def _native_unsupported(connection) -> str:
    return _(
        "Native backups work with SQLite and PostgreSQL; this database is %(vendor)s. Use "
        "--format=json."
    ) % {"vendor": connection.vendor}


# --- JSON -----------------------------------------------------------------------------------


def encode(field: models.Field, value):
    """A column's value as JSON: exact timestamps, base64 bytes, Django's text for the rest."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()  # every microsecond, and the UTC offset
    # Decimal, UUID, duration, bytes, JSON: the text Django's own serializers use for them,
    # read from the value itself rather than from a model instance and its descriptors.
    return field.value_to_string(SimpleNamespace(**{field.attname: value}))


def decode(field: models.Field, value):
    return None if value is None else field.to_python(value)


def last_issued_id(connection, model) -> int | None:
    """The highest id the table's counter has handed out (None: it never has)."""
    pk = model._meta.pk
    if not isinstance(pk, models.AutoField):
        return None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
            (sequence,) = cursor.fetchone()
            if sequence is None:
                return None
            # pg_get_serial_sequence returns the name quoted and schema-qualified.
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            last_value, is_called = cursor.fetchone()
            issued = last_value if is_called else last_value - 1
            return issued if issued >= 1 else None
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            return None if row is None else row[0]
    return None


def set_last_issued_id(connection, model, last_id: int | None) -> None:
    pk = model._meta.pk
    if not isinstance(pk, models.AutoField):
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
            (sequence,) = cursor.fetchone()
            if sequence is None:
                return
            if last_id is not None and last_id >= 1:
                cursor.execute("SELECT setval(%s, %s, true)", [sequence, last_id])
            else:
                cursor.execute("SELECT setval(%s, 1, false)", [sequence])
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            if last_id is not None:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last_id]
                )
        else:
            for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(sql)


def applied_migrations(connection) -> set[tuple[str, str]]:
    return set(MigrationRecorder(connection).applied_migrations())


def backup_json(path: str, *, using: str) -> Summary:
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with (
        written_atomically(path) as partial,
        open(partial, "w", encoding="utf-8") as out,
        # One snapshot of every table, so rows written meanwhile cannot half-appear.
        transaction.atomic(using=using),
    ):
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _write_backup(out, connection)


def _write_backup(out, connection) -> Summary:
    """The file: a header, then one entry per table with its columns, id counter and rows,
    one row per line."""
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": sorted(applied_migrations(connection)),
    }
    out.write("{\n")
    for key, value in header.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write('"tables": [\n')
    existing = set(connection.introspection.table_names())
    summary = Summary()
    for model in backed_up_models(connection):
        if model._meta.db_table in existing:
            summary.rows += _write_table(out, connection, model, first=not summary.tables)
            summary.tables += 1
    out.write("]}\n")
    return summary


def _write_table(out, connection, model, *, first: bool) -> int:
    fields = stored_fields(model)
    description = {
        "model": model._meta.label_lower,
        "table": model._meta.db_table,
        "columns": [field.column for field in fields],
        "last_id": last_issued_id(connection, model),
    }
    out.write(("" if first else ",") + json.dumps(description, ensure_ascii=False)[:-1])
    out.write(', "rows": [\n')
    # A plain QuerySet: no custom manager, no translation descriptors, only the columns.
    queryset = (
        models.QuerySet(model=model, using=connection.alias)
        .order_by("pk")
        .values_list(*[field.attname for field in fields])
    )
    count = 0
    for row in queryset.iterator(chunk_size=BATCH_SIZE):
        encoded = [encode(field, value) for field, value in zip(fields, row, strict=True)]
        out.write(("," if count else "") + json.dumps(encoded, ensure_ascii=False) + "\n")
        count += 1
    out.write("]}\n")
    return count


def read_json_backup(path: str) -> dict:
    found = file_kind(path)
    if found != JSON_BACKUP:
        raise wrong_kind(path, expected=JSON_BACKUP, found=found)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(
            _("“%(path)s” is damaged: %(error)s.") % {"path": path, "error": error}
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise wrong_kind(path, expected=JSON_BACKUP, found=UNKNOWN)
    if data.get("version") != FORMAT_VERSION:
        raise BackupError(
            _(
                "“%(path)s” is a backup in format version %(version)s, which this version of "
                "the tracker cannot read."
            )
            % {"path": path, "version": data.get("version")}
        )
    if not isinstance(data.get("tables"), list) or not isinstance(data.get("migrations"), list):
        raise BackupError(
            _("“%(path)s” is damaged: its list of tables or of migrations is missing.")
            % {"path": path}
        )
    return data


def refuse_unless_same_migrations(connection, backed_up: list) -> None:
    name = connection.settings_dict["NAME"]
    if not MigrationRecorder(connection).has_table():
        raise BackupError(
            _(
                "The database “%(name)s” is not migrated. Run “manage.py migrate” on it "
                "first, then restore."
            )
            % {"name": name}
        )
    in_backup = {tuple(migration) for migration in backed_up}
    in_database = applied_migrations(connection)
    if in_backup != in_database:

        def shown(migrations):
            names = [f"{app}.{migration}" for app, migration in sorted(migrations)]
            return ", ".join(names[:5]) + (", …" if len(names) > 5 else "") or "–"

        raise BackupError(
            _(
                "The backup was made at other migrations than the database “%(name)s” has "
                "(only in the backup: %(backup_only)s; only in the database: "
                "%(database_only)s). Restore into a database migrated by the same version of "
                "the tracker."
            )
            % {
                "name": name,
                "backup_only": shown(in_backup - in_database),
                "database_only": shown(in_database - in_backup),
            }
        )


def _plan(path: str, data: dict) -> list[tuple[type[models.Model], list[models.Field], dict]]:
    """Match every table of the file with a model and its columns, or refuse."""
    plan = []
    for entry in data["tables"]:
        try:
            model = apps.get_model(entry["model"])
            by_column = {field.column: field for field in stored_fields(model)}
            columns = list(entry["columns"])
            rows = entry["rows"]
        except (LookupError, KeyError, TypeError, ValueError):
            raise BackupError(
                _("“%(path)s” holds a table this version of the tracker does not know: %(table)s.")
                % {"path": path, "table": entry.get("model") if isinstance(entry, dict) else "?"}
            ) from None
        if set(columns) != set(by_column) or len(columns) != len(set(columns)):
            raise BackupError(
                _(
                    "The columns of %(table)s in “%(path)s” are not the ones this version of "
                    "the tracker has (in the file: %(file_columns)s; here: %(columns)s)."
                )
                % {
                    "table": model._meta.db_table,
                    "path": path,
                    "file_columns": ", ".join(columns),
                    "columns": ", ".join(by_column),
                }
            )
        if not isinstance(rows, list):
            raise BackupError(
                _("“%(path)s” is damaged: the rows of %(table)s are not a list.")
                % {"path": path, "table": model._meta.db_table}
            )
        plan.append((model, [by_column[column] for column in columns], entry))
    return plan


def restore_json(path: str, *, using: str, force: bool = False) -> Summary:
    connection = connections[using]
    data = read_json_backup(path)
    refuse_unless_same_migrations(connection, data["migrations"])
    plan = _plan(path, data)
    refuse_unless_empty(connection, force=force)
    existing = set(connection.introspection.table_names())
    flushed = [
        model._meta.db_table
        for model in backed_up_models(connection)
        if model._meta.db_table in existing
    ]
    summary = Summary()
    try:
        with transaction.atomic(using=using):
            connection.ops.execute_sql_flush(
                connection.ops.sql_flush(no_style(), flushed, reset_sequences=True)
            )
            for model, fields, entry in plan:
                summary.rows += _insert_rows(connection, model, fields, entry["rows"])
                set_last_issued_id(connection, model, entry.get("last_id"))
                summary.tables += 1
            # Foreign keys are checked at commit; check them here to name the problem.
            connection.check_constraints()
    except (IntegrityError, DatabaseError, ValueError, TypeError) as error:
        raise BackupError(
            _("Could not restore “%(path)s”, so nothing was restored: %(error)s")
            % {"path": path, "error": error}
        ) from None
    ContentType.objects.clear_cache()
    return summary


def _insert_rows(connection, model, fields, rows: list) -> int:
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = [
                [
                    field.get_db_prep_save(decode(field, value), connection=connection)
                    for field, value in zip(fields, row, strict=True)
                ]
                for row in rows[start : start + BATCH_SIZE]
            ]
            cursor.executemany(sql, batch)
    return len(rows)


# --- The commands' arguments ---------------------------------------------------------------
# `backup` and `restore` take the same FILE, --format and --database, and refuse a database
# alias that settings.DATABASES lacks in the same words.

#: native: the database's own copy; json: a portable file (the module's docstring says more).
FORMATS = ("native", "json")


def add_arguments(parser, *, file_help: str, database_help: str) -> None:
    """FILE, --format and --database, for `backup` and `restore` alike."""
    parser.add_argument("file", help=file_help)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="native",
        help=_(
            "native (default): pg_dump's format on PostgreSQL, a copy of the file on SQLite; "
            "json: a portable file, restored into SQLite or PostgreSQL."
        ),
    )
    parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=database_help)


def database_name(alias: str) -> str:
    """The name of the database `alias` (a key of settings.DATABASES), for the commands to
    say which database they backed up or restored; refused if there is no such key."""
    try:
        return connections[alias].settings_dict["NAME"]
    except ConnectionDoesNotExist:
        raise BackupError(
            _("There is no database “%(alias)s” in settings.DATABASES.") % {"alias": alias}
        ) from None
