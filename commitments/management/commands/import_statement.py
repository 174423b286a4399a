"""python manage.py import_statement PATH --slug SLUG [--title ...]

Reads a Japanese joint statement as extracted from its PDF into a Document with its
sections, paragraphs and signatories. Running it again on the same file changes nothing;
a file it cannot read is refused with the line at fault, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commitments.ingestion.parser import (
    ParsedStatement,
    StatementParseError,
    decode,
    parse_statement,
)
from commitments.ingestion.writer import StatementWriteError, statement_write


class Command(BaseCommand):
    help = "Import a Japanese joint statement (text extracted from its PDF) as a document."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="UTF-8 text file of the statement.")
        parser.add_argument(
            "--slug", required=True, help="Short name used in URLs, e.g. caj-fmm5-2014."
        )
        parser.add_argument(
            "--title", help="Title in the original language (default: read from the file)."
        )
        parser.add_argument(
            "--source-url", default="", help="Where the official text is published."
        )

    def handle(self, *args, path: Path, slug: str, title: str | None, source_url: str, **options):
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(path)s: cannot read the file (%(reason)s).")
                % {"path": path, "reason": error.strerror}
            ) from None
        try:
            statement = parse_statement(decode(raw))
        except StatementParseError as error:
            raise CommandError(
                _("%(path)s: %(error)s Nothing was imported.") % {"path": path, "error": error}
            ) from None
        if title:
            statement.title = title

        try:
            changes = statement_write(statement, slug=slug, source_url=source_url)
        except StatementWriteError as error:
            raise CommandError(_("%(error)s Nothing was imported.") % {"error": error}) from None

        summary = _(
            "%(sections)d sections, %(paragraphs)d paragraphs, %(signatories)d signatories"
        ) % {
            "sections": len(statement.sections),
            "paragraphs": len(statement.paragraphs),
            "signatories": len(statement.signatories),
        }
        summary += furniture_summary(statement)
        if changes:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(slug)s: %(summary)s; %(changes)d record(s) written.")
                    % {"slug": slug, "summary": summary, "changes": changes}
                )
            )
        else:
            self.stdout.write(
                _("%(slug)s: %(summary)s; already up to date, nothing changed.")
                % {"slug": slug, "summary": summary}
            )
        for warning in statement.warnings:
            self.stdout.write(
                self.style.WARNING(
                    _("check line %(line)d: %(message)s")
                    % {"line": warning.line, "message": warning.message}
                )
            )


def furniture_summary(statement: ParsedStatement) -> str:
    """ "; dropped 3 page-furniture lines: 212, 240, 268" (and form feeds), or nothing."""
    parts = []
    dropped = statement.dropped_lines
    if dropped:
        parts.append(
            ngettext(
                "dropped %(count)d page-furniture line: %(lines)s",
                "dropped %(count)d page-furniture lines: %(lines)s",
                len(dropped),
            )
            % {"count": len(dropped), "lines": ", ".join(map(str, dropped))}
        )
    form_feeds = statement.form_feed_lines
    if form_feeds:
        parts.append(
            ngettext(
                "removed %(count)d form feed: line %(lines)s",
                "removed %(count)d form feeds: lines %(lines)s",
                len(form_feeds),
            )
            % {"count": len(form_feeds), "lines": ", ".join(map(str, form_feeds))}
        )
    return "".join("; " + part for part in parts)
