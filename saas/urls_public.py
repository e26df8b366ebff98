"""URLs of the city hub (public schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from every_schema.accounts import api as accounts_api
from every_schema.network_demands import api as network_demands_api
from public_schema.city_programmes import api as citywide_api
from public_schema.hub import api as hub_api
from public_schema.network import hub_api as pool_api
from public_schema.tenants import api as tenants_api
from public_schema.voucher_schemes import api as vouchers_api
from saas.views import media_serve

api_patterns = [
    path("", include(accounts_api.urlpatterns)),
    path("hub/tenants/", tenants_api.TenantListCreateApi.as_view(), name="tenant-list"),
    path("hub/tenants/<slug:slug>/", tenants_api.TenantDetailApi.as_view(), name="tenant-detail"),
    path("hub/tenants/<slug:slug>/suspend/", tenants_api.TenantSuspendApi.as_view(), name="tenant-suspend"),
    path(
        "hub/tenants/<slug:slug>/reactivate/",
        tenants_api.TenantReactivateApi.as_view(),
        name="tenant-reactivate",
    ),
    path(
        "hub/tenants/<slug:slug>/exports/", tenants_api.TenantExportListApi.as_view(), name="tenant-exports"
    ),
    path(
        "hub/tenants/<slug:slug>/exports/<int:pk>/",
        tenants_api.TenantExportDetailApi.as_view(),
        name="tenant-export",
    ),
    path(
        "hub/tenants/<slug:slug>/exports/<int:pk>/archive/",
        tenants_api.TenantExportArchiveApi.as_view(),
        name="tenant-export-archive",
    ),
    path(
        "hub/tenants/<slug:slug>/deletion/",
        tenants_api.TenantDeletionScheduleApi.as_view(),
        name="tenant-deletion-schedule",
    ),
    path(
        "hub/tenants/<slug:slug>/deletion/cancel/",
        tenants_api.TenantDeletionCancelApi.as_view(),
        name="tenant-deletion-cancel",
    ),
    path("hub/tenant-restores/", tenants_api.TenantRestoreApi.as_view(), name="tenant-restore"),
    path("hub/stats/", hub_api.HubStatsApi.as_view(), name="hub-stats"),
    path("", include(citywide_api.urlpatterns)),
    path("", include(pool_api.urlpatterns)),
    path("", include(vouchers_api.issuer_urlpatterns)),
    path("", include(network_demands_api.hub_urlpatterns)),
    path("schema/", SpectacularAPIView.as_view(urlconf="saas.urls_public"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", include("public_schema.hub.urls")),
    path("accounts/", include("every_schema.accounts.urls")),
    path("", include("public_schema.stripe_events.urls")),
    path("", include("public_schema.city_programmes.urls")),
    path("", include("public_schema.network.handoff_urls")),
    path("", include("public_schema.voucher_schemes.urls")),
    path("", include("public_schema.workcalendar.urls")),
    path("pool/", include("public_schema.network.hub_urls")),
    path("", include("every_schema.network_demands.hub_urls")),
    # The API, version 1. The unversioned paths answer the same for one release, with
    # Deprecation and Sunset headers (saas.api.middleware); reverse("api:...") gives v1.
    path("api/v1/", include((api_patterns, "api"))),
    path("api/", include((api_patterns, "api"), namespace="api-unversioned")),
    path("admin/", admin.site.urls),
    path("media/<path:name>", media_serve, name="media"),
]

# A database that cannot be reached is a 503 (saas.views.server_error).
handler500 = "saas.views.server_error"
