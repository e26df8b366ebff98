"""URLs of a service institution's site (its own schema; chosen by public_schema.tenants.middleware).

Only the institution's pages and API: an institution has no enterprises, programmes or
demands, so none of the park's routes exists here.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from every_schema.accounts import api as accounts_api
from every_schema.network_demands import api as network_demands_api
from public_schema.network import api as network_api
from public_schema.voucher_schemes import api as vouchers_api
from tenant_schema.network_orders import api as network_orders_api

api_patterns = [
    path("", include(accounts_api.urlpatterns)),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("", include(network_api.urlpatterns)),
    # The orders it received (the same views as a sub-platform's, answering for the seller) and
    # the vouchers spent with it and the claims it files.
    path("", include(network_orders_api.institution_urlpatterns)),
    path("", include(vouchers_api.institution_urlpatterns)),
    path("", include(network_demands_api.urlpatterns)),
    path("schema/", SpectacularAPIView.as_view(urlconf="saas.urls_institutions"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("public_schema.network.site_urls")),
    path("", include("tenant_schema.network_orders.institution_urls")),
    path("", include("public_schema.voucher_schemes.institution_urls")),
    path("", include("every_schema.network_demands.urls")),
    path("accounts/", include("every_schema.accounts.urls")),
    # The API, version 1; the unversioned paths answer the same for one release (saas.api.middleware).
    path("api/v1/", include((api_patterns, "api"))),
    path("api/", include((api_patterns, "api"), namespace="api-unversioned")),
]

handler500 = "saas.views.server_error"
