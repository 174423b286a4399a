from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from commitments import views


def favicon(request):
    """Browsers ask for /favicon.ico on every page, the admin's included."""
    return redirect(static("commitments/favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    # The open-data API: one address whatever the language (its texts carry every language).
    path("api/v1/", include("commitments.api.urls")),
    # Load balancers and uptime checks ask one address whatever the language.
    path("healthz", views.healthz, name="healthz"),
    # The language switch: remembers the choice and goes to the same page in that language.
    path("language/", views.switch_language, name="switch-language"),
    # The public site lives under its language, /ja/… and /en/…, so a shared link, a bookmark
    # or a feed opens in the language it was copied in, and a proxy can keep one copy per URL.
    # An address without the prefix (an old link, a typed "/") is redirected to the reader's
    # language: the cookie the switch sets, then Accept-Language, then Japanese.
    *i18n_patterns(path("", include("commitments.urls"))),
]

# A refused request says why, in the admin's look or the public site's (commitments/errors.py).
handler403 = "commitments.errors.permission_denied"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
