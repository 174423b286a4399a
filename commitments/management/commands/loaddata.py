"""Django's loaddata, bringing the summary counts (summaries.py) in step with what it loaded.

Fixtures are saved raw; the summaries' signals note each item a record touches, and the
items are refreshed once, at the end, inside loaddata's own transaction."""

from django.core.management.commands import loaddata

from commitments import summaries


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        with summaries.batch():
            super().loaddata(fixture_labels)
