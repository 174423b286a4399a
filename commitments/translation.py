"""Fields translated with django-modeltranslation: each gets a column per language (name_ja,
name_en, …). Verbatim texts (paragraphs, preamble, signatures) are not translated in place:
they keep the original and a separate, clearly labelled project translation."""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import ActionItem, Country, Document, Section, StatusUpdate, Theme


@register(Country)
class CountryTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(Document)
class DocumentTranslationOptions(TranslationOptions):
    fields = ("title", "subtitle", "meeting", "place")


@register(Section)
class SectionTranslationOptions(TranslationOptions):
    fields = ("title",)


@register(ActionItem)
class ActionItemTranslationOptions(TranslationOptions):
    fields = ("title", "description")


@register(StatusUpdate)
class StatusUpdateTranslationOptions(TranslationOptions):
    fields = ("note",)


# The audit trail (django-simple-history) is registered here rather than on the models: the
# historical models must be built after the translated columns exist, or they miss them.
simple_history.register(Document)
simple_history.register(Section)
simple_history.register(ActionItem, m2m_fields=["owners"])
simple_history.register(StatusUpdate)
