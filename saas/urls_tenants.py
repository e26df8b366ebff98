"""URLs of a tenant's site (its own schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from applications import api as applications_api
from billing import api as billing_api
from demands import api as demands_api
from enterprises import api as enterprises_api
from enterprises.home_views import tenant_home
from funding import api as funding_api
from matching import api as matching_api
from notifications import api as notifications_api
from saas.views import media_serve

api_patterns = [
    path("", include(accounts_api.urlpatterns)),
    path("me/", accounts_api.MeApi.as_view(), name="me"),
    path("", include(enterprises_api.urlpatterns)),
    path("", include(funding_api.urlpatterns)),
    path("", include(applications_api.urlpatterns)),
    path("", include(notifications_api.urlpatterns)),
    path("", include(demands_api.urlpatterns)),
    path("", include(billing_api.urlpatterns)),
    path("", include(matching_api.urlpatterns)),
    path("schema/", SpectacularAPIView.as_view(urlconf="saas.urls_tenants"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", tenant_home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("", include("enterprises.urls")),
    path("", include("funding.urls")),
    path("", include("applications.urls")),
    path("park/applications/", include("applications.staff_urls")),
    path("", include("notifications.urls")),
    path("", include("demands.urls")),
    path("", include("billing.urls")),
    path("", include("matching.urls")),
    path("park/enterprises/import/", include("enterprises.import_urls")),
    # The API, version 1. The unversioned paths answer the same for one release, with
    # Deprecation and Sunset headers (saas.api.middleware); reverse("api:...") gives v1.
    path("api/v1/", include((api_patterns, "api"))),
    path("api/", include((api_patterns, "api"), namespace="api-unversioned")),
    path("admin/", admin.site.urls),
    path("media/<path:name>", media_serve, name="media"),
]

# A database that cannot be reached is a 503 (saas.views.server_error).
handler500 = "saas.views.server_error"
