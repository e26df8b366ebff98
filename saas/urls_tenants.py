"""URLs of a tenant's site (its own schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from every_schema.accounts import api as accounts_api
from every_schema.network_demands import api as network_demands_api
from public_schema.voucher_schemes import api as vouchers_api
from saas.views import media_serve
from tenant_schema.applications import api as applications_api
from tenant_schema.awards import api as awards_api
from tenant_schema.billing import api as billing_api
from tenant_schema.demands import api as demands_api
from tenant_schema.eligibility import api as matching_api
from tenant_schema.enterprises import api as enterprises_api
from tenant_schema.enterprises.home_views import tenant_home
from tenant_schema.expert_review import api as expert_review_api
from tenant_schema.funding import api as funding_api
from tenant_schema.network_orders import api as network_orders_api
from tenant_schema.notifications import api as notifications_api
from tenant_schema.programme_forms import api as programme_forms_api

api_patterns = [
    path("", include(accounts_api.urlpatterns)),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("", include(enterprises_api.urlpatterns)),
    path("", include(funding_api.urlpatterns)),
    path("", include(applications_api.urlpatterns)),
    path("", include(programme_forms_api.urlpatterns)),
    path("", include(notifications_api.urlpatterns)),
    path("", include(demands_api.urlpatterns)),
    path("", include(billing_api.urlpatterns)),
    path("", include(matching_api.urlpatterns)),
    path("", include(vouchers_api.issuer_urlpatterns)),
    path("", include(vouchers_api.holder_urlpatterns)),
    path("", include(network_orders_api.urlpatterns)),
    path("", include(awards_api.urlpatterns)),
    path("", include(expert_review_api.urlpatterns)),
    path("", include(network_demands_api.urlpatterns)),
    path("schema/", SpectacularAPIView.as_view(urlconf="saas.urls_tenants"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", tenant_home, name="home"),
    path("accounts/", include("every_schema.accounts.urls")),
    path("", include("tenant_schema.enterprises.urls")),
    path("", include("tenant_schema.funding.urls")),
    path("", include("tenant_schema.applications.urls")),
    path("", include("tenant_schema.programme_forms.urls")),
    path("park/applications/", include("tenant_schema.applications.staff_urls")),
    path("", include("tenant_schema.notifications.urls")),
    path("", include("tenant_schema.demands.urls")),
    path("", include("tenant_schema.billing.urls")),
    path("", include("tenant_schema.eligibility.urls")),
    path("", include("public_schema.voucher_schemes.tenant_urls")),
    path("", include("tenant_schema.network_orders.urls")),
    path("", include("tenant_schema.awards.urls")),
    path("", include("tenant_schema.expert_review.urls")),
    path("", include("every_schema.network_demands.urls")),
    path("park/enterprises/import/", include("tenant_schema.enterprises.import_urls")),
    # The API, version 1. The unversioned paths answer the same for one release, with
    # Deprecation and Sunset headers (saas.api.middleware); reverse("api:...") gives v1.
    path("api/v1/", include((api_patterns, "api"))),
    path("api/", include((api_patterns, "api"), namespace="api-unversioned")),
    path("admin/", admin.site.urls),
    path("media/<path:name>", media_serve, name="media"),
]

# A database that cannot be reached is a 503 (saas.views.server_error).
handler500 = "saas.views.server_error"
