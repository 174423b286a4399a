"""Request checks that apply to every page."""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNulCharactersMiddleware:
    """A NUL character in the query string is never meaningful, and PostgreSQL refuses it in
    text (a server error deep in any filter or search). Answer 400 at the door instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest(
                _("The address contains a NUL character; remove it and try again."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
