"""The hub's pages of the institution pool (saas/urls_public.py mounts them under /pool/)."""

from django.urls import path

from . import hub_views

app_name = "pool"

urlpatterns = [
    path("", hub_views.pool_list, name="list"),
    path("ranking/", hub_views.pool_ranking, name="ranking"),
    path("<slug:slug>/", hub_views.pool_detail, name="detail"),
    path("<slug:slug>/act/<str:action>/", hub_views.pool_act, name="act"),
]
