from django.urls import path

from . import dashboard_views, installation_views, views

app_name = "hub"

urlpatterns = [
    path("", views.hub_home, name="home"),
    path("tenants/new/", views.tenant_create, name="tenant_create"),
    path(
        "tenants/<slug:slug>/suspend/",
        views.tenant_status_change,
        {"action": "suspend"},
        name="tenant_suspend",
    ),
    path(
        "tenants/<slug:slug>/reactivate/",
        views.tenant_status_change,
        {"action": "reactivate"},
        name="tenant_reactivate",
    ),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/wall/", dashboard_views.wall, name="wall"),
    path("dashboard/duplicate-awards/", dashboard_views.duplicates, name="duplicates"),
    path("dashboard/programmes/", dashboard_views.programmes, name="programmes"),
    path("dashboard/tenants/<slug:slug>/", dashboard_views.tenant_dashboard, name="tenant_dashboard"),
    path("installation/", installation_views.installation_edit, name="installation"),
]
