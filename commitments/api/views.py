"""The API's endpoints: read-only generic views, one queryset each, filtered like the item list.

No authentication runs (settings.REST_FRAMEWORK), so no session is read and no cookie is set;
every client is throttled by its address."""

from __future__ import annotations

import copy

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, Length
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ..filters import ActionItemFilterSet
from ..models import ActionItem, Country, Document, Paragraph, StatusUpdate, Theme
from ..querysets import countries_owning_items
from . import serializers

SLUG = OpenApiParameter(
    "slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=gettext_lazy("The document's slug."),
)
REF = OpenApiParameter(
    "ref",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=gettext_lazy("The item's ref, e.g. 25.2."),
)
NUMBER = OpenApiParameter(
    "number",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description=gettext_lazy("The paragraph's number."),
)


class Pagination(PageNumberPagination):
    """`?page=2`, and `?page_size=` up to 200 (50 by default)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ItemFilterSet(ActionItemFilterSet):
    """The item list's filters (filters.py)."""

    @classmethod
    def get_filters(cls):
        # Codes and slugs reach their models through to_field_name, which drf-spectacular
        # cannot follow: say their type here (copies, so the list page's filters are untouched).
        filters = super().get_filters()
        for name, example in (("country", "TM"), ("theme", "agriculture")):
            filters[name] = copy.copy(filters[name])
            set_override(
                filters[name],
                "field",
                {
                    "type": "string",
                    "description": format_lazy(
                        gettext_lazy("{label} (e.g. {example})"),
                        label=filters[name].label,
                        example=example,
                    ),
                },
            )
        return filters


def items_for_api():
    """Items with everything the serializer reads, in the text's order: document, paragraph
    and theme joined; owners and the whole status history (with each update's country)
    prefetched, oldest update first."""
    updates = StatusUpdate.objects.select_related("country").order_by("date", "recorded_at", "pk")
    return (
        ActionItem.objects.with_related()
        .prefetch_related(Prefetch("updates", queryset=updates))
        .in_text_order()
    )


def document_or_404(slug: str) -> Document:
    try:
        return Document.objects.get(slug=slug)
    except Document.DoesNotExist:
        raise NotFound(_("There is no document %(slug)s.") % {"slug": slug}) from None


def _count(model, **outer) -> Coalesce:
    """A correlated COUNT of `model` rows (one subquery, not a join that multiplies rows)."""
    rows = (
        model.objects.filter(**{name: OuterRef(ref) for name, ref in outer.items()})
        .order_by()
        .values(*outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class ApiRoot(APIView):
    """Where everything is."""

    @extend_schema(
        summary=gettext_lazy("The API's endpoints"),
        description=gettext_lazy(
            "The address of each list, of the OpenAPI description and of the documentation page."
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "documents": url("api:document-list"),
                "items": url("api:item-list"),
                "themes": url("api:theme-list"),
                "countries": url("api:country-list"),
                "schema": url("api:schema"),
                "docs": url("api:docs"),
            }
        )


def documents_with_counts():
    """Documents, newest first, with their paragraph and item counts and participants."""
    return (
        Document.objects.annotate(
            paragraph_count=_count(Paragraph, document="pk"),
            item_count=_count(ActionItem, document="pk"),
        )
        .prefetch_related("participants")
        .order_by("-signed_on", "slug")
    )


@extend_schema_view(get=extend_schema(summary=gettext_lazy("Documents, newest first")))
class DocumentList(ListAPIView):
    serializer_class = serializers.DocumentSerializer
    pagination_class = Pagination

    def get_queryset(self):
        return documents_with_counts()


@extend_schema_view(get=extend_schema(summary=gettext_lazy("One document"), parameters=[SLUG]))
class DocumentDetail(RetrieveAPIView):
    serializer_class = serializers.DocumentDetailSerializer

    def get_object(self):
        document = (
            documents_with_counts()
            .prefetch_related("sections", "signatories__country")
            .filter(slug=self.kwargs["slug"])
            .first()
        )
        if document is None:
            document_or_404(self.kwargs["slug"])  # raises, saying which slug
        return document


def paragraphs_of(document: Document):
    """A document's paragraphs in order, each with its section and its items' refs."""
    items = ActionItem.objects.order_by(Length("ref"), "ref").only("pk", "ref", "paragraph_id")
    return (
        Paragraph.objects.filter(document=document)
        .select_related("document", "section")
        .prefetch_related(Prefetch("items", queryset=items, to_attr="api_items"))
        .order_by("number")
    )


@extend_schema_view(
    get=extend_schema(summary=gettext_lazy("A document's paragraphs"), parameters=[SLUG])
)
class ParagraphList(ListAPIView):
    serializer_class = serializers.ParagraphSerializer
    pagination_class = Pagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular, describing the view
            return Paragraph.objects.none()
        return paragraphs_of(document_or_404(self.kwargs["slug"]))


@extend_schema_view(
    get=extend_schema(summary=gettext_lazy("One paragraph"), parameters=[SLUG, NUMBER])
)
class ParagraphDetail(RetrieveAPIView):
    serializer_class = serializers.ParagraphSerializer

    def get_object(self):
        document = document_or_404(self.kwargs["slug"])
        number = self.kwargs["number"]
        # Paragraph numbers are small: anything else is no paragraph, not a database error.
        paragraph = None
        if number.isascii() and number.isdigit() and len(number) <= 5:
            paragraph = paragraphs_of(document).filter(number=int(number)).first()
        if paragraph is None:
            raise NotFound(
                _("There is no paragraph %(number)s in this document.") % {"number": number}
            )
        return paragraph


@extend_schema_view(
    get=extend_schema(
        summary=gettext_lazy("Action items, filtered as on the item list"),
        description=gettext_lazy(
            "Filters combine like the list page's: `?country=TM&country=KZ` (owned by either), "
            "`theme`, `status`, `owner_status`, `kind`, `strength` (each repeatable), "
            "`document`, `due_year`, `due_after`, `due_before`, `overdue=true`, `q` (search) "
            "and `sort` (`ref`, `due`, `status`, `-` for descending)."
        ),
    )
)
class ItemList(ListAPIView):
    serializer_class = serializers.ItemSerializer
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ItemFilterSet

    def get_queryset(self):
        return items_for_api()


@extend_schema_view(
    get=extend_schema(summary=gettext_lazy("A document's action items"), parameters=[SLUG])
)
class DocumentItemList(ItemList):
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.none()
        return items_for_api().filter(document=document_or_404(self.kwargs["slug"]))


@extend_schema_view(
    get=extend_schema(summary=gettext_lazy("One action item"), parameters=[SLUG, REF])
)
class ItemDetail(RetrieveAPIView):
    serializer_class = serializers.ItemSerializer

    def get_object(self):
        slug, ref = self.kwargs["slug"], self.kwargs["ref"]
        item = items_for_api().filter(document__slug=slug, ref=ref).first()
        if item is None:
            document_or_404(slug)
            raise NotFound(_("There is no item %(ref)s in this document.") % {"ref": ref})
        return item


@extend_schema_view(get=extend_schema(summary=gettext_lazy("Themes, in display order")))
class ThemeList(ListAPIView):
    serializer_class = serializers.ThemeSerializer
    pagination_class = Pagination
    queryset = Theme.objects.order_by("order", "slug")


@extend_schema_view(
    get=extend_schema(
        summary=gettext_lazy("Countries that own items or took part in a document, by code")
    )
)
class CountryList(ListAPIView):
    serializer_class = serializers.CountrySerializer
    pagination_class = Pagination

    def get_queryset(self):
        participants = Document.participants.through.objects.values("country_id")
        return (countries_owning_items() | Country.objects.filter(pk__in=participants)).order_by(
            "code"
        )


class ApiDocs(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (drf-spectacular-sidecar), under the site's strict
    CSP: the page and its start-up script are separate files (no inline script), the page
    has no inline style, and the script sends no CSRF token (the API only reads), so neither
    response sets a cookie."""

    url_name = "api:schema"
    template_name = "api/docs.html"
    template_name_js = "api/docs.js"
    title = gettext_lazy("Commitment tracker API")
