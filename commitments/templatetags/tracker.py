"""Small pieces of markup drawn many times per page (status badges, progress bars).

They are simple tags written in Python rather than template includes: a dashboard draws
hundreds of them, and an include per piece is what made it slow."""

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..choices import Status

register = template.Library()


@register.simple_tag
def status_badge(item) -> str:
    """The item's status, and its overdue / completed-late flags, as text (never colour alone)."""
    status = Status(item.status)
    flags = []
    if item.is_overdue:
        flags.append(format_html(' <span class="flag flag-overdue">{}</span>', _("Overdue")))
    if item.is_completed_late:
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
        parts.append(
            f'<a class="segment {s.css_class} w-{int(s.percent)}" href="{escape(s.url)}" '
            f'title="{label}: {int(s.count)}"><span class="segment-count">{int(s.count)}</span>'
            f'<span class="visually-hidden"> {label}</span></a>'
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
