"""The item list's filters. Countries are ISO codes and themes are slugs in the URL
(`?country=TM&country=KZ&theme=agriculture`), so a filtered list is a link anyone can share."""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Length
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Status, Strength
from .figures import Share, filter_share
from .models import ActionItem, Country, Document, OwnerStatus, Theme
from .querysets import countries_owning_items

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class CodeChoiceField(forms.ModelMultipleChoiceField):
    """Accepts lower-case codes too (`?country=tm`), and says plainly which code is unknown."""

    default_error_messages = {
        "invalid_choice": _(
            "“%(value)s” is not a country code we know (use ISO codes such as TM or KZ)."
        ),
    }

    def clean(self, value):
        if value:
            value = [str(v).strip().upper() for v in value]
        return super().clean(value)


class CountryFilter(django_filters.ModelMultipleChoiceFilter):
    """Items owned by any of the chosen countries, each once (ActionItemQuerySet.owned_by);
    with none chosen, every item."""

    field_class = CodeChoiceField

    def filter(self, qs, value):
        return qs.owned_by(value) if value else qs


class ItemOrderingFilter(django_filters.OrderingFilter):
    """Refs sort as numbers (2.1 before 10.1); items without a due date come last either way."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        name = self.param_map[param.lstrip("-")]
        if name == "ref":
            keys = [F("paragraph__number"), Length("ref"), F("ref")]
            return [key.desc() if descending else key.asc() for key in keys]
        if name == "due_date":
            due = F("due_date")
            return due.desc(nulls_last=True) if descending else due.asc(nulls_last=True)
        if name == "strength":
            # Firmest first (decision … note), items without a strength last either way.
            rank = Case(
                *(When(strength=s.value, then=Value(s.rank)) for s in Strength),
                default=Value(None),
                output_field=IntegerField(),
            )
            return [rank.desc(nulls_last=True) if descending else rank.asc(nulls_last=True)]
        return super().get_ordering_value(param)

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        ordering = []
        for param in value:
            term = self.get_ordering_value(param)
            ordering.extend(term if isinstance(term, list) else [term])
        return qs.order_by(*ordering, "pk")


class ActionItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    # Any ISO code is accepted (a country may own nothing yet); the menu offers the owners.
    country = CountryFilter(
        label=_("Country"),
        field_name="owners",
        to_field_name="code",
        queryset=Country.objects.all(),
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        label=_("Theme"),
        field_name="theme__slug",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("“%(value)s” is not a theme.")},
    )
    share = django_filters.MultipleChoiceFilter(
        label=_("Owned"),
        choices=Share.choices,
        method="filter_share",
        widget=forms.CheckboxSelectMultiple,
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    owner_status = django_filters.MultipleChoiceFilter(
        label=_("Status of the chosen country"),
        choices=Status.choices,
        method="filter_owner_status",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The country's own status on the item (any owner's, if none is chosen)."),
    )
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    strength = django_filters.MultipleChoiceFilter(
        label=_("Commitment strength"),
        choices=Strength.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("How firmly the text commits, read from its verb."),
    )
    document = django_filters.ModelChoiceFilter(
        label=_("Document"),
        field_name="document",
        to_field_name="slug",
        # The menu names each document: its slug, meeting and title, not its whole text.
        queryset=Document.objects.only(
            "slug",
            "signed_on",
            *(f"{name}_{code}" for name in ("meeting", "title") for code in LANGUAGE_CODES),
        ),
        error_messages={"invalid_choice": _("There is no such document.")},
    )
    due_year = django_filters.NumberFilter(
        label=_("Due in year"),
        field_name="due_date",
        lookup_expr="year",
        min_value=1900,
        max_value=2200,
    )
    due_after = django_filters.DateFilter(
        label=_("Due on or after"),
        field_name="due_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_before = django_filters.DateFilter(
        label=_("Due on or before"),
        field_name="due_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    sort = ItemOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("due_date", "due"),
            ("ref", "ref"),
            ("status", "status"),
            ("strength", "strength"),
        ),
        # Every label whole and lazy: django-filter's own "%s (descending)" is built when the
        # class is defined, in whatever language is active then (it showed 「期限 (descending)」
        # on English pages).
        choices=[
            ("due", _("Due date, soonest first")),
            ("-due", _("Due date, latest first")),
            ("ref", _("Ref, in the text's order")),
            ("-ref", _("Ref, last first")),
            ("status", _("Status, completed first")),
            ("-status", _("Status, not yet assessed first")),
            ("strength", _("Strength, firmest first")),
            ("-strength", _("Strength, softest first")),
        ],
        empty_label=_("The text's order"),
        null_label=None,
    )

    class Meta:
        model = ActionItem
        fields: list[str] = []

    def search(self, queryset, name, value):
        terms = value.split()
        for term in terms[:10]:
            queryset = queryset.filter(
                Q(ref__icontains=term)
                | Q(title_ja__icontains=term)
                | Q(title_en__icontains=term)
                | Q(description_ja__icontains=term)
                | Q(description_en__icontains=term)
                | Q(paragraph__text__icontains=term)
                | Q(paragraph__text_en__icontains=term)
            )
        return queryset

    def filter_owner_status(self, queryset, name, value):
        """Items on which a chosen country (any owner, if none is chosen) has one of these
        statuses as its own (status_rule, rule 1): what a country's bar segment counts."""
        if not value:
            return queryset
        rows = OwnerStatus.objects.filter(status__in=value)
        if countries := self.form.cleaned_data.get("country"):
            rows = rows.filter(country__in=countries)
        return queryset.filter(pk__in=rows.values("item_id"))

    def filter_share(self, queryset, name, value):
        return filter_share(queryset, value)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The menu lists countries that own items (and any already chosen), not all 249.
        chosen = (
            {str(code).upper() for code in self.data.getlist("country")} if self.data else set()
        )
        owners = countries_owning_items() | Country.objects.filter(code__in=chosen)
        # Lazy: the CSV download builds this filterset too but never draws the menu.
        self.form.fields["country"].widget.choices = CallableChoiceIterator(
            lambda: [(c.code, str(c)) for c in owners]
        )

    @property
    def selected_countries(self) -> list[Country]:
        if not self.is_bound or not self.is_valid():
            return []
        return list(self.form.cleaned_data.get("country") or [])
