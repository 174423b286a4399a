from django.urls import path

from . import feeds, views

app_name = "commitments"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("documents/", views.document_list, name="document-list"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
    path("documents/<slug:slug>/items/<str:ref>/", views.item_detail, name="item-detail"),
    path("items/", views.item_list, name="item-list"),
    path("about/figures/", views.about_figures, name="about-figures"),
    path("items/export.csv", views.item_export, name="item-export"),
    path("updates/export.csv", views.update_export, name="update-export"),
    path("feeds/updates/", feeds.UpdatesFeed(), name="feed-updates"),
    path("feeds/updates/countries/<str:code>/", feeds.CountryUpdatesFeed(), name="feed-country"),
    path("feeds/updates/themes/<slug:slug>/", feeds.ThemeUpdatesFeed(), name="feed-theme"),
    path("countries/", views.country_list, name="country-list"),
    path("countries/<str:code>/", views.country_detail, name="country-detail"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
]
