"""Request checks that apply to every page."""

from __future__ import annotations

import inspect
import logging
from urllib.parse import unquote

from django.contrib.admin import ModelAdmin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBadRequest
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

NUL = "\x00"


def bad_request(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def is_valid_id(model, value: str) -> bool:
    """Whether `value`, from an address or a form, could be the primary key of a `model` row.

    The field's clean() also runs its range validators, so an id too large for the
    database's integer column is refused here rather than by the database."""
    try:
        return model._meta.pk.clean(value, None) is not None
    except ValidationError:
        return False


class RejectNulCharactersMiddleware:
    """A NUL character in a request is never meaningful, and PostgreSQL refuses it in text
    (a server error deep in any lookup, filter or search). Answer 400 at the door instead.

    The path is checked as the server decoded it and decoded once more, since `%2500`
    arrives as a literal `%00` that a redirect or a later unquote would turn into NUL. Cookies
    are checked too: the session cookie is looked up in the database on every page, and a
    quoted cookie value may spell NUL in plain ASCII (`"\\000"`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.address_has_nul(request):
            return bad_request(_("The address contains a NUL character; remove it and try again."))
        if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
            return bad_request(
                _(
                    "Your browser sent a cookie containing a NUL character; delete this "
                    "site's cookies and try again."
                )
            )
        return self.get_response(request)

    @staticmethod
    def address_has_nul(request: HttpRequest) -> bool:
        path = request.path
        return (
            NUL in path
            or NUL in unquote(path)
            or NUL in request.META.get("QUERY_STRING", "")
            or any(
                NUL in key or any(NUL in value for value in values)
                for key, values in request.GET.lists()
            )
        )


class AdminBadInputMiddleware:
    """Hand-edited admin addresses and forms get a 400 that says what is wrong, not a 500.

    Django's admin trusts some of what the browser sends: the ids ticked for a bulk action
    (`_selected_action`) go straight into a query, and a list's filters in the address
    (`?title__iregex=[`, `?date__year=9999`, `?id__in=99999999999999999999`) are checked
    only as far as Django can without running them; the database (or the date arithmetic of
    `date_hierarchy`) refuses the rest. Views other than the list that build the list's
    queryset (django-import-export's export) do not catch a bad filter at all. This applies
    to every registered ModelAdmin, ours and those of contrib.auth and django-axes."""

    # Views that build the change list's queryset from the address (url name suffixes).
    LIST_VIEWS = ("_changelist", "_export")
    # What the database or Python's date arithmetic raise for a filter value they refuse.
    FILTER_ERRORS = (DatabaseError, OverflowError, ValueError)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = self.model_admin_of(view_func)
        if model_admin is None or request.method != "POST":
            return None
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        unknown = [value for value in selected if not is_valid_id(model_admin.model, value)]
        if unknown:
            return bad_request(
                _("The selection names records that do not exist: %(ids)s. Reload the list.")
                % {"ids": ", ".join(repr(value[:40]) for value in unknown[:5])}
            )
        return None

    def process_exception(self, request, exception):
        match = request.resolver_match
        if match is None or self.model_admin_of(match.func) is None:
            return None
        if isinstance(exception, IncorrectLookupParameters):
            return bad_request(self.filter_message(request))
        filters = self.filter_params(request)
        if (
            isinstance(exception, self.FILTER_ERRORS)
            and filters
            and (match.url_name or "").endswith(self.LIST_VIEWS)
        ):
            # Only a list whose address carries filters, and only the errors a refused filter
            # value raises: any other failure is a bug and stays a server error.
            logger.warning("Admin list %s refused filters %s: %r", request.path, filters, exception)
            return bad_request(self.filter_message(request))
        return None

    @staticmethod
    def model_admin_of(view) -> ModelAdmin | None:
        """The ModelAdmin serving a view: Django's own admin views carry it, views a mixin
        adds (`admin_site.admin_view(self.export_action)`) wrap one of its methods."""
        model_admin = getattr(view, "model_admin", None)
        if model_admin is None:
            model_admin = getattr(inspect.unwrap(view), "__self__", None)
        return model_admin if isinstance(model_admin, ModelAdmin) else None

    @staticmethod
    def filter_params(request: HttpRequest) -> list[str]:
        """The address's parameters that the change list reads as filters."""
        not_filters = {*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG}
        return sorted(key for key in request.GET if key not in not_filters)

    def filter_message(self, request: HttpRequest) -> str:
        names = ", ".join(name[:60] for name in self.filter_params(request)[:10])
        return _(
            "This list cannot be shown with the filters in its address (%(names)s): a name "
            "or value is not one the list understands. Remove them and try again."
        ) % {"names": names or "—"}
