"""Deadlines shown at the precision the text fixes them ("2016", "March 2015", a day range)."""

from __future__ import annotations

import calendar
import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import pgettext

from .choices import DuePrecision


def today() -> datetime.date:
    """The date now in the site's time zone: what "overdue" and "upcoming" are measured from."""
    return timezone.localdate()


def format_due(
    starts_on: datetime.date | None, due_date: datetime.date | None, precision: str
) -> str:
    """Render a deadline in the active language at its precision; empty when there is none."""
    if due_date is None:
        return ""
    end = _format_one(due_date, precision)
    if starts_on is None or starts_on == due_date:
        return end
    return f"{_format_one(starts_on, precision)} – {end}"


def _format_one(day: datetime.date, precision: str) -> str:
    if precision == DuePrecision.YEAR:
        # Translators: a date format (Django's date filter syntax) for a bare year.
        return date_format(day, pgettext("date format for a year", "Y"))
    if precision == DuePrecision.MONTH:
        return date_format(day, "YEAR_MONTH_FORMAT")
    return date_format(day, "DATE_FORMAT")


def period_end(year: int, month: int | None = None, day: int | None = None) -> datetime.date:
    """The last day of the period a date phrase names: a year, a month or a single day."""
    if month is None:
        return datetime.date(year, 12, 31)
    if day is None:
        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)
