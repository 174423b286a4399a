"""python manage.py backup FILE [--format native|json] [--database ALIAS]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
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
        backups.add_arguments(
            parser,
            file_help=_("The backup file to write."),
            database_help=_("The database to back up (a key of settings.DATABASES)."),
        )

    def handle(self, *args, file, format, database, **options):
        try:
            name = backups.database_name(database)
            if format == "json":
                summary = backups.backup_json(file, using=database)
            else:
                backups.backup_native(file, using=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
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
