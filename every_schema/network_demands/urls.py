"""Network demand pages, mounted at network-demands/ on every site (sub-platform, institution, hub)."""

from django.urls import path

from . import views

app_name = "network_demands"

urlpatterns = [
    path("network-demands/", views.demand_list, name="list"),
    path("network-demands/new/", views.demand_new, name="new"),
    path("network-demands/<int:pk>/", views.demand_detail, name="detail"),
    path("network-demands/<int:pk>/act/", views.demand_act, name="act"),
]

hub_urlpatterns = [
    path("network-demands/supervision/", views.supervision, name="supervision"),
    path("network-demands/figures/", views.figures_page, name="figures"),
    path("network-demands/figures.csv", views.figures_csv, name="figures_csv"),
]
