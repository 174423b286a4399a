"""Public, read-only pages."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("")


dashboard = document_detail = item_detail = item_list = country_detail = theme_detail = _todo
