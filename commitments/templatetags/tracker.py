"""Small pieces of markup drawn many times per page (status badges, progress bars).

They are simple tags written in Python rather than template includes: a dashboard draws
hundreds of them, and an include per piece is what made it slow."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import figures
from ..choices import Status
from ..languages import split_language

register = template.Library()


@register.simple_tag
def status_badge(item, day=None) -> str:
    """The item's status, and its deadline flags, as text (never colour alone). The flags
    follow figures.py: overdue, past due but not yet assessed, completed late."""
    status = Status(item.status)
    flags = []
    if figures.is_overdue(item, day):
        flags.append(format_html(' <span class="flag flag-overdue">{}</span>', _("Overdue")))
    elif figures.is_past_due_unassessed(item, day):
        flags.append(
            format_html(
                ' <span class="flag flag-unassessed">{}</span>', _("Past due — not yet assessed")
            )
        )
    if figures.is_completed_late(item):
        flags.append(format_html(' <span class="flag flag-late">{}</span>', _("Completed late")))
    return format_html(
        '<span class="badge {}">{}</span>{}',
        status.css_class,
        status.label,
        format_html_join("", "{}", ((flag,) for flag in flags)),
    )


@register.simple_tag
def status_label(value: str) -> str:
    status = Status(value)
    return format_html('<span class="badge {}">{}</span>', status.css_class, status.label)


_escaped_labels: dict[str, dict[Status, str]] = {}


def _labels() -> dict[Status, str]:
    """Status labels in the active language, translated and escaped once per process."""
    language = get_language() or ""
    if language not in _escaped_labels:
        _escaped_labels[language] = {status: escape(str(status.label)) for status in Status}
    return _escaped_labels[language]


@register.simple_tag
def progress_bar(progress) -> str:
    """One stacked bar: a linked segment per status, with its count and status name in text.

    Built with plain string formatting (every dynamic part escaped) because a dashboard draws
    thousands of segments and format_html per segment dominated its render time."""
    if not progress.segments:
        return format_html(
            '<div class="bar"><span class="bar-empty">{}</span></div>', _("No items")
        )
    labels = _labels()
    parts = ['<div class="bar">']
    for s in progress.segments:
        label = labels[s.status]
        # The count is shown; count and status name are what the link says (aria-label),
        # in a dozen bytes fewer than a hidden span: a dashboard draws hundreds of segments.
        parts.append(
            f'<a class="segment {s.css_class} w-{int(s.percent)}" href="{escape(s.url)}" '
            f'aria-label="{int(s.count)} {escape(label)}">{int(s.count)}</a>'
        )
    parts.append("</div>")
    return mark_safe("".join(parts))


@register.filter
def duration(delta) -> str:
    """A timedelta in words, in the reader's language: "1 hour", "1 時間"."""
    if not delta:
        return ""
    now = timezone.now()
    return timesince(now - delta, now)


@register.simple_tag
def country_options(countries, selected) -> str:
    """The country filter's <option>s (anything with .code and .name), the chosen selected.

    Built with plain string formatting, every part escaped: the menu may list every country,
    and a template loop per option was a large share of the dashboard's render."""
    chosen = {country.code for country in selected or ()}
    return mark_safe(
        "".join(
            f'<option value="{escape(c.code)}"{" selected" if c.code in chosen else ""}>'
            f"{escape(c.name)} ({escape(c.code)})</option>"
            for c in countries
        )
    )


@register.simple_tag
def document_select(field) -> str:
    """The document filter's <select>, as Django's widget draws it, from plain values: the
    menu lists every document (500 in the benchmark's data), and the widget's template per
    option, each over a model instance with translated fields, took most of the item list's
    render. Each document is named as its __str__ does, in the reader's language with the
    other as the fallback."""
    from ..models import Document

    value = field.value()
    chosen = "" if value is None else str(value)
    first = get_language() or settings.LANGUAGE_CODE
    order = [first, *(code for code, _name in settings.LANGUAGES if code != first)]
    columns = [f"{name}_{code}" for name in ("meeting", "title") for code in order]
    rows = Document.objects.order_by(*Document._meta.ordering).values_list("slug", *columns)

    def label(values) -> str:
        half = len(order)
        meeting = next((v for v in values[:half] if v), "")
        title = next((v for v in values[half:] if v), "")
        return f"{meeting} {title}".strip()

    options = [("", field.field.empty_label or "")] + [(row[0], label(row[1:])) for row in rows]
    invalid = ' aria-invalid="true"' if field.errors else ""
    return mark_safe(
        f'<select name="{escape(field.html_name)}" id="{escape(field.id_for_label)}"{invalid}>'
        + "".join(
            f'<option value="{escape(key)}"{" selected" if key == chosen else ""}>'
            f"{escape(text)}</option>"
            for key, text in options
        )
        + "</select>"
    )


@register.simple_tag
def text(obj, field: str) -> str:
    """A translated field in the reader's language. When it is empty in that language, the
    text shown instead (modeltranslation's fallback) is marked with its language and says
    so: "(Japanese original)", never passed off silently as a translation."""
    language = (get_language() or "")[:2]
    value = getattr(obj, f"{field}_{language}", None)
    if value or value is None:  # translated, or a field without languages
        return escape(value if value is not None else getattr(obj, field, ""))
    for other, _name in settings.LANGUAGES:
        fallback = getattr(obj, f"{field}_{other}", "")
        if other != language and fallback:
            note = _("(Japanese original)") if other == "ja" else _("(English text)")
            return format_html(
                '<span lang="{}">{}</span> <span class="fallback-note">{}</span>',
                other,
                fallback,
                note,
            )
    return ""


@register.simple_tag
def country_checkboxes(countries, selected, participants=None) -> str:
    """The country filter's checkboxes (anything with .code and .name): the documents'
    participants first, then the other countries, each group in the reader's alphabetical
    order (figures.in_country_order). Built with plain string formatting, every part escaped,
    like country_options: the list may hold every country. `selected`: countries or codes;
    `participants`: the participants' codes, when the page has them (else one query)."""
    chosen = {getattr(country, "code", country) for country in selected or ()}
    groups = (
        (_("Participants"), "participants"),
        (_("Other countries"), "others"),
    )
    parts = []
    ordered = figures.in_country_order(list(countries), participants=participants or None)
    for (label, key), members in zip(groups, ordered, strict=True):
        if not members:
            continue
        parts.append(
            f'<div class="choice-group" role="group" aria-labelledby="cf-{key}">'
            f'<p class="choice-group-label" id="cf-{key}">{escape(label)}</p><ul>'
        )
        parts.extend(
            f'<li><label><input type="checkbox" name="country" value="{escape(c.code)}"'
            f"{' checked' if c.code in chosen else ''}> {escape(c.name)} "
            f"<small>{escape(c.code)}</small></label></li>"
            for c in members
        )
        parts.append("</ul></div>")
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[dict[str, str]]:
    """The page the reader is on, in every site language, as absolute addresses for `hreflang`
    links: the same page and the same filters (`translate_url` keeps the query string), plus
    `x-default`, the address without a language, which sends each reader to theirs.

    Empty on a page whose address carries no language, or names no page at all (an error page
    for an unknown address, `/ja/no-such-page/`): there is no other-language version of it to
    point to, and an address nothing resolved can be anything, `/ja//evil.example/` included,
    whose x-default would read as the absolute address http://evil.example/."""
    request = context.get("request")
    if (
        request is None
        or getattr(request, "resolver_match", None) is None
        or translation.get_language_from_path(request.path_info) is None
    ):
        return []
    path = request.get_full_path()
    alternates = [
        {"code": code, "url": request.build_absolute_uri(translate_url(path, code))}
        for code, _name in settings.LANGUAGES
    ]
    unprefixed = split_language(path)[1]
    alternates.append({"code": "x-default", "url": request.build_absolute_uri(unprefixed)})
    return alternates
