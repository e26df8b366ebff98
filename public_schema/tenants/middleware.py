"""Host routing and tenant status, before anything else sees the request."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from saas.compiled import CompiledQuery

from .models import Domain, Tenant

# Every request runs it: compiled once per process (saas.compiled), as the signed-in user's is.
_live_domain_query = CompiledQuery(
    lambda hostname: Domain.objects.select_related("tenant").filter(
        domain=hostname, tenant__slot=Tenant.Slot.LIVE
    ),
    hostname=str,
)


class HostTenantMiddleware(TenantMainMiddleware):
    """django-tenants' routing, with two refusals of our own.

    An unknown host gets our 404 page, never the hub. Only live tenants route: spare
    and template schemas have no domain, and even if one were added by hand it would
    not serve.
    """

    def get_tenant(self, domain_model, hostname):
        domain = _live_domain_query.first(hostname=hostname)
        if domain is None:
            raise domain_model.DoesNotExist(f"No live tenant at {hostname}")
        return domain.tenant

    def setup_url_routing(self, request, force_public=False):
        """The hub and parks as django-tenants routes them; a service institution has a site of its own.

        An institution's schema holds every tenant app's tables (a spare does not know what it
        will become), but its people have no enterprises, programmes or demands: its URL
        configuration offers only the institution's pages and API, so none of the park's
        routes exists there to be probed.
        """
        super().setup_url_routing(request, force_public=force_public)
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.kind == Tenant.Kind.INSTITUTION:
            request.urlconf = settings.PARKHUB_INSTITUTION_URLCONF

    def no_tenant_found(self, request, hostname):
        connection.set_schema_to_public()
        response = render(request, "errors/unknown_host.html", {"hostname": hostname}, status=404)
        return response


class SuspendedTenantMiddleware:
    """A suspended tenant answers 503 on every page and API call; its data stays untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.is_suspended:
            message = _(
                "This platform has been suspended by the city hub. Your data is kept safe; "
                "please contact the city hub to have it reactivated."
            )
            if request.path.startswith("/api/"):
                # The API's one error shape (saas.api.exceptions).
                return JsonResponse(
                    {"code": "tenant_suspended", "message": message, "fields": {}}, status=503
                )
            response = render(
                request, "errors/suspended.html", {"message": message, "tenant": tenant}, status=503
            )
            response["Retry-After"] = "3600"
            return response
        return self.get_response(request)
