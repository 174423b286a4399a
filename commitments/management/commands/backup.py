"""python manage.py backup FILE [--format native|json] [--database ALIAS]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.connection import ConnectionDoesNotExist
from django.utils.translation import gettext as _

from commitments import backups


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when the parser is built, not at import
        return _(
            "Back up the whole database to FILE: every table, with its ids, its timestamps to the "
            "microsecond and its id counters. native: pg_dump (PostgreSQL) or a copy of the SQLite "
            "file; json: a portable file that `restore --format=json` loads into SQLite or "
            "PostgreSQL."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The backup file to write."))
        parser.add_argument(
            "--format",
            choices=["native", "json"],
            default="native",
            help=_(
                "native (default): pg_dump's format on PostgreSQL, a copy of the file on SQLite; "
                "json: a portable file, restored into SQLite or PostgreSQL."
            ),
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help=_("The database to back up (a key of settings.DATABASES)."),
        )

    def handle(self, *args, file, format, database, **options):
        try:
            connections[database]
        except ConnectionDoesNotExist:
            raise CommandError(
                _("There is no database “%(alias)s” in settings.DATABASES.") % {"alias": database}
            ) from None
        try:
            if format == "json":
                summary = backups.backup_json(file, using=database)
            else:
                backups.backup_native(file, using=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        name = connections[database].settings_dict["NAME"]
        if format == "json":
            message = _(
                "Backed up %(rows)d rows of %(tables)d tables from the database “%(name)s” "
                "to %(path)s."
            ) % {"rows": summary.rows, "tables": summary.tables, "name": name, "path": file}
        else:
            message = _("Backed up the database “%(name)s” to %(path)s.") % {
                "name": name,
                "path": file,
            }
        self.stdout.write(self.style.SUCCESS(message))
