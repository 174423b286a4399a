"""What the API says about each record: explicit fields, keyed by slugs, refs and ISO codes.

Every serializer reads only what its view's queryset has already fetched (select_related,
prefetch_related), so a page of 50 items costs the same few queries as a page of 5."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import status_rule
from ..choices import DocumentKind, DuePrecision, Kind, Status, Strength
from ..languages import split_language
from ..models import (
    ActionItem,
    Country,
    Document,
    Paragraph,
    Signatory,
    StatusUpdate,
    Theme,
)

LANGUAGES = list(settings.MODELTRANSLATION_LANGUAGES)


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def public_page(request, path: str) -> str:
    """A public page's address without its language (`/documents/…`, not `/ja/documents/…`):
    the API answers in every language at once, and that address opens the page in the
    reader's (their language cookie, then Accept-Language). Put `/ja` or `/en` in front of
    the path for one language."""
    return absolute(request, split_language(path)[1])


@extend_schema_field(
    {
        "type": "object",
        "properties": {language: {"type": "string"} for language in LANGUAGES},
        "required": LANGUAGES,
        "description": _("The text in every site language; empty where it has no translation."),
    }
)
class TranslatedField(serializers.Field):
    """A translated field as {"ja": "…", "en": "…"}: the stored text of each language, with no
    fallback, so a reader can tell a missing translation from a translated one."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance) -> dict[str, str]:
        return {
            language: getattr(instance, f"{self.source}_{language}") or "" for language in LANGUAGES
        }


class CodeField(serializers.ChoiceField):
    """A code from one of the vocabularies (choices.py); null where none is set."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices, read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class CountrySerializer(serializers.ModelSerializer):
    name = TranslatedField()

    class Meta:
        model = Country
        fields = ["code", "name"]


class ThemeSerializer(serializers.ModelSerializer):
    name = TranslatedField()
    description = TranslatedField()
    items_url = serializers.SerializerMethodField(help_text=_("This theme's items."))

    class Meta:
        model = Theme
        fields = ["slug", "name", "description", "order", "items_url"]

    def get_items_url(self, theme) -> str:
        return absolute(
            self.context.get("request"), f"{reverse('api:item-list')}?theme={theme.slug}"
        )


class UpdateSerializer(serializers.ModelSerializer):
    """One entry of an item's status history, retracted and corrected ones included."""

    country = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        help_text=_("The owner this update speaks for; null when it speaks for the whole item."),
    )
    status = CodeField(Status.choices)
    previous_status = CodeField(Status.choices, help_text=_("The status before this update."))
    note = TranslatedField()
    corrected = serializers.SerializerMethodField(
        help_text=_("Whether the entry was corrected after it was first published.")
    )
    retracted = serializers.SerializerMethodField(
        help_text=_("Whether the entry was retracted; a retracted entry no longer counts.")
    )

    class Meta:
        model = StatusUpdate
        fields = [
            "date",
            "status",
            "previous_status",
            "country",
            "note",
            "source_url",
            "recorded_at",
            "corrected",
            "corrected_at",
            "correction_reason",
            "retracted",
            "retracted_at",
            "retraction_reason",
        ]

    def get_corrected(self, update) -> bool:
        return update.corrected_at is not None

    def get_retracted(self, update) -> bool:
        return update.retracted_at is not None


class OwnerStatusSerializer(serializers.Serializer):
    """One owner country's own status on an item (status_rule, rule 1)."""

    country = serializers.CharField(help_text=_("The owner's ISO code."))
    status = CodeField(Status.choices)
    date = serializers.DateField(allow_null=True)
    own = serializers.BooleanField(
        help_text=_(
            "True when the country's own update decides, false when an item-level one does."
        )
    )


class ItemSerializer(serializers.ModelSerializer):
    """An action item with its owners, each owner's status and its whole status history."""

    id = serializers.SerializerMethodField(
        help_text=_("Stable id: the document's slug and the item's ref, e.g. caj-fmm5-2014/25.2.")
    )
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField(help_text=_("The item's public page."))
    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    paragraph = serializers.IntegerField(source="paragraph.number", read_only=True)
    kind = CodeField(Kind.choices)
    strength = CodeField(Strength.choices)
    title = TranslatedField()
    description = TranslatedField()
    owners = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("ISO codes of the owner countries."),
    )
    theme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    due_precision = CodeField(DuePrecision.choices)
    status = CodeField(Status.choices)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    completed_late = serializers.BooleanField(source="is_completed_late", read_only=True)
    owner_statuses = serializers.SerializerMethodField(
        help_text=_("Each owner's own status, by the published rule (status_rule).")
    )
    updates = UpdateSerializer(many=True, read_only=True, help_text=_("Oldest first."))

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "url",
            "html_url",
            "document",
            "paragraph",
            "ref",
            "kind",
            "strength",
            "title",
            "description",
            "owners",
            "theme",
            "organisations",
            "starts_on",
            "due_date",
            "due_precision",
            "due_text",
            "status",
            "status_date",
            "overdue",
            "completed_late",
            "owner_statuses",
            "updates",
            "updated_at",
        ]

    def get_id(self, item) -> str:
        return f"{item.document.slug}/{item.ref}"

    def get_url(self, item) -> str:
        path = reverse("api:item-detail", args=[item.document.slug, item.ref])
        return absolute(self.context.get("request"), path)

    def get_html_url(self, item) -> str:
        return public_page(self.context.get("request"), item.get_absolute_url())

    @extend_schema_field(OwnerStatusSerializer(many=True))
    def get_owner_statuses(self, item) -> list[dict]:
        owners = list(item.owners.all())
        by_owner = status_rule.owner_statuses(item.updates.all(), [c.pk for c in owners])
        return [
            {
                "country": country.code,
                "status": by_owner[country.pk].status,
                "date": by_owner[country.pk].date,
                "own": by_owner[country.pk].own,
            }
            for country in owners
        ]


class SectionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    numeral = serializers.CharField(help_text=_("As printed: Ⅰ, Ⅱ, …"))
    title = TranslatedField()


class SignatorySerializer(serializers.ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Signatory
        fields = ["order", "name", "name_en", "position", "position_en", "country"]


class ParagraphSerializer(serializers.ModelSerializer):
    """A numbered paragraph: the authentic text, verbatim, and the project's translation."""

    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField(
        help_text=_("The paragraph in the annotated text.")
    )
    section = SectionSerializer(read_only=True)
    text = serializers.CharField(
        read_only=True, help_text=_("Verbatim, in the document's original language.")
    )
    text_en = serializers.CharField(
        read_only=True, help_text=_("The project's own English translation; not an official text.")
    )
    items = serializers.SerializerMethodField(help_text=_("Refs of the items the paragraph holds."))

    class Meta:
        model = Paragraph
        fields = ["document", "number", "url", "html_url", "section", "text", "text_en", "items"]

    def get_url(self, paragraph) -> str:
        path = reverse("api:paragraph-detail", args=[paragraph.document.slug, paragraph.number])
        return absolute(self.context.get("request"), path)

    def get_html_url(self, paragraph) -> str:
        return public_page(self.context.get("request"), paragraph.get_absolute_url())

    def get_items(self, paragraph) -> list[str]:
        return [item.ref for item in paragraph.api_items]


class DocumentSerializer(serializers.ModelSerializer):
    """A signed document, with counts and links to its paragraphs and items."""

    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField(help_text=_("The annotated text."))
    kind = CodeField(DocumentKind.choices)
    title = TranslatedField()
    subtitle = TranslatedField()
    meeting = TranslatedField()
    place = TranslatedField()
    participants = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("ISO codes.")
    )
    paragraph_count = serializers.IntegerField(read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    paragraphs_url = serializers.SerializerMethodField()
    items_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "slug",
            "url",
            "html_url",
            "kind",
            "title",
            "subtitle",
            "meeting",
            "place",
            "signed_on",
            "source_url",
            "original_language",
            "participants",
            "paragraph_count",
            "item_count",
            "paragraphs_url",
            "items_url",
        ]

    def _absolute(self, name: str, document) -> str:
        return absolute(self.context.get("request"), reverse(name, args=[document.slug]))

    def get_url(self, document) -> str:
        return self._absolute("api:document-detail", document)

    def get_html_url(self, document) -> str:
        return public_page(self.context.get("request"), document.get_absolute_url())

    def get_paragraphs_url(self, document) -> str:
        return self._absolute("api:paragraph-list", document)

    def get_items_url(self, document) -> str:
        return self._absolute("api:document-item-list", document)


class DocumentDetailSerializer(DocumentSerializer):
    """A document with its preamble, closing line, sections and signatories."""

    preamble = serializers.CharField(read_only=True, help_text=_("Verbatim, as signed."))
    preamble_en = serializers.CharField(read_only=True, help_text=_("The project's translation."))
    closing = serializers.CharField(read_only=True, help_text=_("Verbatim, as signed."))
    closing_en = serializers.CharField(read_only=True, help_text=_("The project's translation."))
    sections = SectionSerializer(many=True, read_only=True)
    signatories = SignatorySerializer(many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [
            *DocumentSerializer.Meta.fields,
            "preamble",
            "preamble_en",
            "closing",
            "closing_en",
            "sections",
            "signatories",
        ]
