"""An institution's site for these tests, as saas/urls_institutions.py includes the voucher routes (not on this branch).

The tenant site's routes follow, so the shared layout (templates/base.html) finds the names it links to.
"""

from django.urls import include, path

from public_schema.voucher_schemes import api as vouchers_api
from saas.urls_tenants import urlpatterns as tenant_urlpatterns

api_patterns = [path("", include(vouchers_api.institution_urlpatterns))]

urlpatterns = [
    path("", include("public_schema.voucher_schemes.institution_urls")),
    path("api/v1/", include((api_patterns, "institution-api"))),
    *tenant_urlpatterns,
]
