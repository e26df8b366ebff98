"""Test-only: the tenant site's URLs plus the institution's order pages, until saas/urls_institutions.py is merged."""

from django.urls import include, path

from saas.urls_tenants import urlpatterns as tenant_urlpatterns

urlpatterns = [
    path("", include("tenant_schema.network_orders.institution_urls")),
    *tenant_urlpatterns,
]
