from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request):
    """Browsers ask for /favicon.ico on every page, the admin's included."""
    return redirect(static("commitments/favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The open-data API: one address whatever the language (its texts carry every language).
    path("api/v1/", include("commitments.api.urls")),
    path("", include("commitments.urls")),
]

# A refused request says why, in the admin's look or the public site's (commitments/errors.py).
handler403 = "commitments.errors.permission_denied"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
