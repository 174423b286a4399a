"""/api/v1/: the open-data API, its OpenAPI description and its documentation page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("documents/", views.DocumentList.as_view(), name="document-list"),
    path("documents/<slug:slug>/", views.DocumentDetail.as_view(), name="document-detail"),
    path("documents/<slug:slug>/paragraphs/", views.ParagraphList.as_view(), name="paragraph-list"),
    path(
        # str, not int: the view says plainly that "x" or a number too large is no paragraph.
        "documents/<slug:slug>/paragraphs/<str:number>/",
        views.ParagraphDetail.as_view(),
        name="paragraph-detail",
    ),
    path(
        "documents/<slug:slug>/items/", views.DocumentItemList.as_view(), name="document-item-list"
    ),
    path("documents/<slug:slug>/items/<str:ref>/", views.ItemDetail.as_view(), name="item-detail"),
    path("items/", views.ItemList.as_view(), name="item-list"),
    path("themes/", views.ThemeList.as_view(), name="theme-list"),
    path("countries/", views.CountryList.as_view(), name="country-list"),
    # YAML by default; ?format=json for JSON.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.ApiDocs.as_view(), name="docs"),
]
