from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("documents/<slug:slug>/", views.document_detail, name="document-detail"),
    path("documents/<slug:slug>/items/<str:ref>/", views.item_detail, name="item-detail"),
    path("items/", views.item_list, name="item-list"),
    path("countries/<str:code>/", views.country_detail, name="country-detail"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
]
