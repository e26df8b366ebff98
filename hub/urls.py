from django.urls import path

from . import views

app_name = "hub"

urlpatterns = [
    path("", views.hub_home, name="home"),
    path("tenants/<slug:slug>/suspend/", views.tenant_status_change, {"action": "suspend"}, name="tenant_suspend"),
    path(
        "tenants/<slug:slug>/reactivate/",
        views.tenant_status_change,
        {"action": "reactivate"},
        name="tenant_reactivate",
    ),
]
