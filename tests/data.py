"""The shipped data, for tests that load it once per module (it takes over a second)."""

from django.conf import settings

from commitments.models import (
    ActionItem,
    Country,
    Document,
    Paragraph,
    Section,
    Signatory,
    StatusUpdate,
    Theme,
)

FIXTURES = [
    str(settings.BASE_DIR / "fixtures" / name)
    for name in ("01_countries.json", "02_themes.json", "10_caj-fmm5-2014.json")
]


def remove_tracker_rows():
    """Undo a module's fixture load (the rows were committed outside any test's transaction)."""
    for model in [StatusUpdate, ActionItem, Signatory, Paragraph, Section, Document, Theme]:
        model.objects.all().delete()
    for model in ActionItem._meta.app_config.get_models():
        if model.__name__.startswith("Historical") or model.__name__ == "FocalPoint":
            model.objects.all().delete()
    Country.objects.all().delete()
