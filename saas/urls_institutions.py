"""URLs of a service institution's site (its own schema; chosen by public_schema.tenants.middleware).

Only the institution's pages and API: an institution has no enterprises, programmes or
demands, so none of the park's routes exists here.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from every_schema.accounts import api as accounts_api
from every_schema.network_demands import api as network_demands_api
from public_schema.network import api as network_api

api_patterns = [
    path("", include(accounts_api.urlpatterns)),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("", include(network_api.urlpatterns)),
    path("", include(network_demands_api.urlpatterns)),
    # Orders and claims (tenant_schema/network_orders) add their API here.
    path("schema/", SpectacularAPIView.as_view(urlconf="saas.urls_institutions"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("public_schema.network.site_urls")),
    # Orders desk and voucher claims (tenant_schema/network_orders/institution_urls.py,
    # public_schema/voucher_schemes/institution_urls.py) go here once their routes are declared
    # in tests/isolation/route_declarations.py for the institution site.
    path("", include("every_schema.network_demands.urls")),
    path("accounts/", include("every_schema.accounts.urls")),
    # The API, version 1; the unversioned paths answer the same for one release (saas.api.middleware).
    path("api/v1/", include((api_patterns, "api"))),
    path("api/", include((api_patterns, "api"), namespace="api-unversioned")),
]

handler500 = "saas.views.server_error"
