"""python manage.py restore FILE [--format native|json] [--database ALIAS] [--force]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from commitments import backups


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when the parser is built, not at import
        return _(
            "Restore a backup made by `backup` into an empty database: every table, ids, "
            "timestamps and id counters as they were. Refuses a database that holds data unless "
            "--force is given."
        )

    def add_arguments(self, parser):
        backups.add_arguments(
            parser,
            file_help=_("The backup file to read."),
            database_help=_("The database to restore into (a key of settings.DATABASES)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Replace everything in a database that already holds data."),
        )

    def handle(self, *args, file, format, database, force, **options):
        try:
            name = backups.database_name(database)
            if format == "json":
                summary = backups.restore_json(file, using=database, force=force)
            else:
                summary = backups.restore_native(file, using=database, force=force)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        if format == "json":
            message = _(
                "Restored %(rows)d rows of %(tables)d tables from %(path)s into the database "
                "“%(name)s”."
            ) % {"rows": summary.rows, "tables": summary.tables, "path": file, "name": name}
        else:
            message = _("Restored %(path)s into the database “%(name)s”.") % {
                "path": file,
                "name": name,
            }
        self.stdout.write(self.style.SUCCESS(message))
        if summary.pending_migrations:
            self.stdout.write(
                _(
                    "The backup is older than this version of the tracker (%(count)d "
                    "migrations to apply): run “manage.py migrate” before starting the site."
                )
                % {"count": summary.pending_migrations}
            )
