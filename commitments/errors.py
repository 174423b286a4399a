"""The page for a refused request (403): in the admin's look under /admin/ and in the public
site's elsewhere, saying why in the reader's language, never a bare "403 Forbidden"."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler403: `exception` is the PermissionDenied, its message the reason."""
    in_admin = request.path.startswith(reverse("admin:index"))
    context = {
        "in_admin": in_admin,
        "base_template": "admin/base_site.html" if in_admin else "base.html",
        "title": _("You may not do this"),
        "reason": str(exception) or _("Your account does not have permission for this."),
    }
    if in_admin and hasattr(request, "user"):
        context = {**admin.site.each_context(request), **context}
    return render(request, "403.html", context, status=403)
