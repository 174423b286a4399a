"""python manage.py recompute_summaries [--check]

Recounts the summary counts (summaries.py) from scratch and compares them with the kept ones.
Without --check it replaces the kept rows by the recount if anything differs; with --check it
changes nothing and exits non-zero when anything differs. Either way it lists the drift."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commitments import summaries


class Command(BaseCommand):
    help = gettext_lazy(
        "Recount the dashboard's summary counts from scratch; report and repair any drift "
        "(--check: only report, exit non-zero on drift)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help=gettext_lazy(
                "Change nothing; exit non-zero if the kept counts differ from a recount."
            ),
        )

    def handle(self, *args, check: bool, **options):
        problems = summaries.drift() if check else summaries.rebuild()
        if not problems:
            self.stdout.write(_("The summary counts match a recount from scratch."))
            return
        for line in problems:
            self.stdout.write(f"  {line}")
        if problems.total > len(problems):
            self.stdout.write(
                _("  … and %(count)d more.") % {"count": problems.total - len(problems)}
            )
        found = ngettext(
            "%(count)d kept row differs from a recount.",
            "%(count)d kept rows differ from a recount.",
            problems.total,
        ) % {"count": problems.total}
        if check:
            raise CommandError(
                found + " " + _("Run recompute_summaries without --check to rebuild them.")
            )
        self.stdout.write(self.style.WARNING(found + " " + _("They have been rebuilt.")))
