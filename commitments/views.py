"""Public, read-only pages. Function views that build an explicit context and render it.

Every page that lists items accepts `?country=TM&country=KZ` (ISO codes) and narrows what it
shows to items owned by one of those countries."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import figures, listing, progress, scorecards, status_rule
from .cache import cached_page
from .choices import Status
from .csv_format import stream_csv
from .dates import today
from .filters import ActionItemFilterSet, CodeChoiceField
from .importing.updates import stream_updates_csv
from .languages import split_language
from .models import ActionItem, Country, Document, OwnerStatus, Paragraph, StatusUpdate, Theme
from .querysets import countries_owning_items

PAGE_SIZE = 50
# What the item list reads from its address: its filters (sorting is one of them) and the page.
ITEM_LIST_QUERY = (*ActionItemFilterSet.base_filters, "page")
LIST_LIMIT = 10
DASHBOARD_DOCUMENTS = 10
# Country rows on the dashboard: participants, then the others owning the most items (all
# are on /countries/). With the bars' 8 segments each, this keeps the page under 100 KB.
DASHBOARD_PARTICIPANTS = 8
DASHBOARD_OTHER_COUNTRIES = 6
#: On a theme's page, besides the participants (every country: ?countries=all).
THEME_OTHER_COUNTRIES = 10
#: Items listed on a country's or a theme's page, soonest due first (all are on the list page).
SUBSET_ITEMS = 100


def _country_selection(request: HttpRequest) -> tuple[list[Country], str]:
    """The countries in `?country=`, and an error message if a code is unknown."""
    codes = request.GET.getlist("country")
    if not codes:
        return [], ""
    field = CodeChoiceField(queryset=Country.objects.all(), to_field_name="code", required=False)
    try:
        return list(field.clean(codes)), ""
    except ValidationError as error:  # an unknown code: say so, never a server error
        return [], " ".join(error.messages)


def _restrict(items: QuerySet[ActionItem], countries: list[Country]) -> QuerySet[ActionItem]:
    """No country chosen means every item, not none."""
    return items.owned_by(countries) if countries else items


def _overview(items: QuerySet[ActionItem], *, everything: bool = False, countries=()) -> dict:
    """The lists shared by the dashboard, country and theme pages (each draws its own bars).
    `everything`: the items are the whole catalogue, so the updates need no restriction.
    `countries`: the updates shown are those countries' own and whole-item ones, never
    another owner's (CN's ratification is not news about the US)."""
    day = today()
    updates = StatusUpdate.objects.all()
    if everything:  # the kept counts by due month (summaries.py)
        overdue_count, unassessed_count = progress.deadline_counts(day)
    else:
        updates = updates.filter(item__in=items.values("pk"))
        overdue_count = items.overdue(day).count()
        unassessed_count = items.past_due_unassessed(day).count()
    if countries:
        updates = updates.speaking_for(list(countries))
    return {
        "overdue": items.overdue(day).order_by("due_date", "ref").first_rows(LIST_LIMIT),
        "overdue_count": overdue_count,
        "past_due_unassessed_count": unassessed_count,
        "upcoming": items.upcoming(day).first_rows(LIST_LIMIT),
        "latest_updates": updates.newest(LIST_LIMIT),
        "statuses": Status.display_order(),
        # Plain (code, name) rows: the menu may list every country, and a model instance
        # per country was a large share of the dashboard's time.
        "filter_countries": countries_owning_items().values_list("code", "name", named=True),
        "today": day,
    }


def _render_overview(request, template, context, country_error: str) -> HttpResponse:
    context["country_error"] = country_error
    return render(request, template, context, status=400 if country_error else 200)


@cached_page("country")
def dashboard(request: HttpRequest) -> HttpResponse:
    countries, error = _country_selection(request)
    base = {"country": [c.code for c in countries]}
    items = _restrict(ActionItem.objects.all(), countries)
    documents = list(Document.objects.order_by("-signed_on", "slug")[:DASHBOARD_DOCUMENTS])
    if countries:  # a selection: counted for it, by the database
        summary, themes = progress.summary(items, base), progress.by_theme(items, base)
        document_bars = progress.by_document(items, documents, base)
        country_bars = progress.kept_by_country(countries, base_params=base)
        rates = figures.rates(items)
        theme_rates = figures.rates_by(items, "theme")
        by_document = figures.rates_by(items, "document")
        firm = progress.firm_commitments(items, base)
    else:  # everything: the kept counts (summaries.py), rates included, whatever the size
        summary, themes = progress.overall_and_themes(base)
        document_bars = progress.kept_by_document(documents, base)
        country_bars = progress.dashboard_countries(
            DASHBOARD_PARTICIPANTS, DASHBOARD_OTHER_COUNTRIES, base
        )
        rates = summary.rates
        theme_rates = {bar.label.pk: bar.rates for bar in themes}
        by_document = {bar.label.pk: bar.rates for bar in document_bars}
        firm = summary.firm
    context = {
        **_overview(items, everything=not countries, countries=countries),
        "summary": summary,
        "rates": rates,
        "firm": firm,  # firm commitments kept (figures.FirmCommitments)
        "themes": figures.table(themes, theme_rates),
        # Each country by its own status, rates included (kept_by_country).
        "countries": figures.country_table(
            country_bars,
            {bar.label.pk: bar.rates for bar in country_bars},
            participants := figures.participant_codes(),
        ),
        "participant_codes": participants,  # the country menu's groups, without a query
        "selected_countries": countries,
        "documents": [
            (document, bar, by_document.get(document.pk) or figures.Rates())
            for document, bar in zip(documents, document_bars, strict=True)
        ],
        "document_count": Document.objects.count(),
    }
    return _render_overview(request, "commitments/dashboard.html", context, error)


@cached_page()
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(Country, code=code.upper())
    items = ActionItem.objects.owned_by([country])
    base = {"country": [country.code]}
    # The country's own status on each item where its own update decides (else the item's
    # status says it), kept in step with the updates (summaries.py).
    own = OwnerStatus.objects.filter(item=OuterRef("pk"), country=country, own=True)
    shown = (
        items.with_related()
        .annotate(own_status=Subquery(own.values("status")[:1]))
        .order_by(*figures.by_due_then_ref())[:SUBSET_ITEMS]
    )
    summary, themes = progress.kept_country(country, base)
    context = {
        **_overview(items, countries=[country]),
        "summary": summary,
        "rates": summary.rates,  # by its own status, from the kept counts (kept_country)
        "shares": figures.share_counts(items),
        "timeline": figures.timeline(country=country),
        "themes": figures.table(themes, {bar.label.pk: bar.rates for bar in themes}),
        "scorecard": (card := scorecards.scorecards([country])[0]),
        "scorecard_list": [card],
        "country": country,
        "feed_url": reverse("commitments:feed-country", args=[country.code]),
        "items": shown,
        "own_status_of": country,
        "item_count": summary.total,  # one owner-status row per item it owns
        "list_url": progress.items_url(**base),
    }
    return render(request, "commitments/country_detail.html", context)


@cached_page("country", "countries")
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, slug=slug)
    countries, error = _country_selection(request)
    base = {"theme": theme.slug, "country": [c.code for c in countries]}
    items = _restrict(ActionItem.objects.filter(theme=theme), countries)
    if countries:
        summary = progress.summary(items, base)
        country_bars = progress.kept_by_country(countries, theme=theme, base_params=base)
        rates = figures.rates(items)
    else:
        summary = progress.kept_summary(theme=theme, base_params=base)
        country_bars = progress.kept_by_country(theme=theme, base_params=base)
        rates = summary.rates
    participants = figures.participant_codes()
    every_country = len(country_bars)
    if not countries and request.GET.get("countries") != "all":
        # The participants and the other countries owning most of the theme's items, as on
        # the dashboard; every country one click away (?countries=all). All 249 rows made a
        # 0.7 MB page at 100,000 items.
        others = sorted(
            (bar for bar in country_bars if bar.label.code not in participants),
            key=lambda bar: (-bar.total, bar.label.code),
        )[:THEME_OTHER_COUNTRIES]
        kept = {bar.label.pk for bar in others}
        country_bars = [
            bar for bar in country_bars if bar.label.code in participants or bar.label.pk in kept
        ]
    context = {
        **_overview(items, countries=countries),
        "summary": summary,
        "rates": rates,
        "timeline": figures.timeline(items),
        # Each country by its own status on the theme's items, rates included (the kept
        # counts: a chosen country's rows are the same with or without the selection).
        "countries": figures.country_table(
            country_bars, {bar.label.pk: bar.rates for bar in country_bars}, participants
        ),
        "participant_codes": participants,  # the country menu's groups, without a query
        "hidden_countries": every_country - len(country_bars),
        "theme": theme,
        "feed_url": reverse("commitments:feed-theme", args=[theme.slug]),
        "selected_countries": countries,
        "items": items.with_related().order_by(*figures.by_due_then_ref())[:SUBSET_ITEMS],
        "item_count": summary.total,
        "list_url": progress.items_url(**base),
    }
    return _render_overview(request, "commitments/theme_detail.html", context, error)


@cached_page("country", "page")
def document_list(request: HttpRequest) -> HttpResponse:
    countries, error = _country_selection(request)
    base = {"country": [c.code for c in countries]}
    items = _restrict(ActionItem.objects.all(), countries)
    documents = Document.objects.order_by("-signed_on", "slug")
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    if countries:
        bars = progress.by_document(items, page.object_list, base)
        by_document = figures.rates_by(items.filter(document__in=page.object_list), "document")
    else:  # the kept counts, rates included (summaries.py)
        bars = progress.kept_by_document(page.object_list, base)
        by_document = {bar.label.pk: bar.rates for bar in bars}
    context = {
        "page": page,
        "documents": [
            (document, bar, by_document.get(document.pk) or figures.Rates())
            for document, bar in zip(page.object_list, bars, strict=True)
        ],
        "selected_countries": countries,
        "filter_countries": countries_owning_items(),
        "country_error": error,
    }
    return render(request, "commitments/document_list.html", context, status=400 if error else 200)


@cached_page("country")
def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    document = get_object_or_404(Document.objects.prefetch_related("participants"), slug=slug)
    countries, error = _country_selection(request)
    items = _restrict(ActionItem.objects.filter(document=document), countries).with_related()
    paragraphs = Paragraph.objects.filter(document=document).prefetch_related(
        Prefetch("items", queryset=items.order_by("ref"), to_attr="tracked_items")
    )
    sections = list(document.sections.all())
    by_section: dict[int, list[Paragraph]] = {s.pk: [] for s in sections}
    for paragraph in paragraphs:
        by_section[paragraph.section_id].append(paragraph)
    base = {"document": document.slug, "country": [c.code for c in countries]}
    if countries:
        summary, rates = progress.summary(items, base), figures.rates(items)
    else:  # the kept counts, rates included (summaries.py)
        summary = progress.kept_summary(document=document, base_params=base)
        rates = summary.rates
    context = {
        "document": document,
        "sections": [(section, by_section[section.pk]) for section in sections],
        "signatories": document.signatories.select_related("country"),
        "summary": summary,
        "rates": rates,
        "timeline": figures.timeline(items),
        # The menu lists the document's participants: no query to tell them apart.
        "participant_codes": {c.code for c in document.participants.all()},
        "selected_countries": countries,
        "country_error": error,
        "today": today(),
    }
    return render(
        request, "commitments/document_detail.html", context, status=400 if error else 200
    )


@cached_page()
def item_detail(request: HttpRequest, slug: str, ref: str) -> HttpResponse:
    try:
        item = ActionItem.objects.select_related("document", "paragraph__section", "theme").get(
            document__slug=slug, ref=ref
        )
    except ActionItem.DoesNotExist:
        raise Http404(_("There is no item %(ref)s in this document.") % {"ref": ref}) from None
    updates = list(
        item.updates.select_related("recorded_by", "country").order_by("-date", "-recorded_at")
    )
    # Each owner with its own status on the item (status_rule, rule 1), kept in step with
    # the updates (summaries.py): read with the owners, in the same query.
    own = OwnerStatus.objects.filter(item=item, country=OuterRef("pk"))
    owners = list(
        item.owners.annotate(own_status=Subquery(own.values("status")[:1])).order_by("code")
    )
    # Shown once an update speaks for one owner; until then the item's status says it all.
    if status_rule.speaks_per_country(updates):
        breakdown = status_rule.group_by_status((owner, owner.own_status) for owner in owners)
    else:
        breakdown = []
    day = today()
    context = {
        "item": item,
        "updates": updates,
        "today": day,
        "overdue_since": figures.overdue_since(item) if figures.is_overdue(item, day) else None,
        "past_due_unassessed": figures.is_past_due_unassessed(item, day),
        "completed_late": figures.is_completed_late(item),
        "period_ran_on": figures.ran_past_its_period(item),
        "owners": owners,
        "owner_breakdown": breakdown,
        "owner_count": len(owners),
    }
    return render(request, "commitments/item_detail.html", context)


@cached_page(*ITEM_LIST_QUERY)
def item_list(request: HttpRequest) -> HttpResponse:
    filterset = ActionItemFilterSet(
        request.GET or None, queryset=ActionItem.objects.with_related().in_text_order()
    )
    valid = filterset.is_valid() if filterset.is_bound else True
    items = filterset.qs if valid else ActionItem.objects.none()
    paginator = Paginator(figures.with_share(items), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chips = listing.active_filters(request.GET)
    chosen = {str(code).strip().upper() for code in request.GET.getlist("country")}
    context = {
        "filter": filterset,
        "page": page,
        "count": paginator.count,
        "chips": chips,
        "heading": listing.heading(paginator.count, chips),
        # Alone, with some others or with everyone: the question a country's list answers.
        # Asked only of a list narrowed to some countries: over every item it is a scan of
        # the whole table (115 ms at 100,000 items) for a split nobody asked about.
        "share_line": listing.share_line(figures.share_counts(items), request.GET)
        if valid and chosen and paginator.count and not request.GET.getlist("share")
        else "",
        "filter_countries": countries_owning_items() | Country.objects.filter(code__in=chosen),
        "chosen_countries": chosen,
        "query": query.urlencode(),
        "export_url": reverse("commitments:item-export")
        + (f"?{query.urlencode()}" if query else ""),
        "today": today(),
    }
    return render(request, "commitments/item_list.html", context, status=200 if valid else 400)


def item_export(request: HttpRequest) -> HttpResponse:
    """The item list's selection as CSV (UTF-8 with BOM so Excel reads Japanese), streamed."""
    filterset = ActionItemFilterSet(
        request.GET or None, queryset=ActionItem.objects.in_text_order()
    )
    if filterset.is_bound and not filterset.is_valid():
        messages = [f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()]
        return HttpResponse(
            "\n".join(messages), status=400, content_type="text/plain; charset=utf-8"
        )
    response = StreamingHttpResponse(
        stream_csv(filterset.qs), content_type="text/csv; charset=utf-8"
    )
    name = "-".join(["items", *_selection_words(filterset), f"{today():%Y-%m-%d}"]) + ".csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _selection_words(filterset: ActionItemFilterSet) -> list[str]:
    """The filters of a download, in words for its file name: `items-TM-2026-11-26.csv`,
    `items-KZ-TM-agriculture-completed-due2015-2026-11-26.csv`. ISO codes stay upper-case;
    everything else is slugified (a search keeps its Japanese: the header says it in UTF-8)."""
    if not filterset.is_bound:
        return []
    words: list[str] = []
    # The form has checked every value; the countries and themes it fetched are cached.
    for name, value in filterset.form.cleaned_data.items():
        if name == "sort" or not value:
            continue
        if name == "country":
            words += sorted(country.code for country in value)
        elif name == "theme":
            words += sorted(theme.slug for theme in value)
        elif name == "document":
            words.append(value.slug)
        elif name == "due_year":
            words.append(f"due{int(value)}")
        elif name in ("due_after", "due_before"):
            words.append(f"{name.replace('_', '-')}-{value:%Y-%m-%d}")
        elif name == "overdue":
            words.append("overdue")
        elif isinstance(value, (list, tuple)):
            words += [slugify(str(v), allow_unicode=True) for v in value]
        else:
            words.append(slugify(str(value), allow_unicode=True))
    words = [word for word in words if word]
    # Keep the name short enough for every file system (255 bytes), whatever the selection.
    while words and len("-".join(words).encode()) > 150:
        words.pop()
    return words


def switch_language(request: HttpRequest) -> HttpResponse:
    """Go to the page the reader was on, in the chosen language, and remember the choice.

    The page's address carries its language (/ja/…, /en/…), so the link to the other language
    is that page's own address in it, query string and all (`translate_url`). The cookie only
    decides where an address without a language goes (`/`, an old link). A plain link rather
    than Django's POST-only set_language, so public pages carry no CSRF token and can be
    cached (cache.py)."""
    language = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if language not in dict(settings.LANGUAGES):
        return redirect(target)
    # Resolve the page in the language its address is in, then name it in the chosen one. An
    # address without a language (`/`) is left as it is: LocaleMiddleware sends it on by the
    # cookie set here.
    current, rest = split_language(target)
    with translation.override(current):
        translated = translate_url(target, language)
    if translated == target and current not in (None, language):
        # An address that names no page (a 404) still changes language: swap its prefix.
        translated = f"/{language}{rest}"
    response = redirect(translated)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and uptime checks: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


@cached_page()
def about_figures(request: HttpRequest) -> HttpResponse:
    """How every figure on the site is defined, in one place."""
    return render(request, "commitments/about_figures.html", {})


def update_export(request: HttpRequest) -> StreamingHttpResponse:
    """The status-update log as CSV, optionally for some countries' items (?country=KZ)."""
    countries, error = _country_selection(request)
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    updates = StatusUpdate.objects.all()
    if countries:
        updates = updates.owned_by(countries)
    name = (
        "updates-"
        + "-".join(c.code for c in countries)
        + ("-" if countries else "")
        + today().isoformat()
        + ".csv"
    )
    response = StreamingHttpResponse(
        stream_updates_csv(updates), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@cached_page()
def country_list(request: HttpRequest) -> HttpResponse:
    """The participants side by side, then every other country that owns an item."""
    # Each group in the reader's alphabetical order (figures.in_country_order).
    participants = scorecards.participants()
    taking_part = {c.code for c in participants}
    participants, _none = figures.in_country_order(participants, participants=taking_part)
    _none, others = figures.in_country_order(
        Country.objects.filter(action_items__isnull=False).exclude(code__in=taking_part).distinct(),
        participants=taking_part,
    )
    context = {
        "participant_cards": scorecards.scorecards(participants),
        "other_cards": scorecards.scorecards(others),
    }
    return render(request, "commitments/country_list.html", context)
