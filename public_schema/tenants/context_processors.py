from django.conf import settings
from django.db import connection

from .models import Tenant


def current_site(request):
    tenant = getattr(request, "tenant", None)
    return {
        "current_tenant": tenant,
        "is_hub_site": connection.schema_name == "public",
        # The institution's own site: its navigation, not the park's (templates/base.html).
        "is_institution_site": tenant is not None and tenant.kind == Tenant.Kind.INSTITUTION,
        "parkhub_base_domain": settings.PARKHUB_BASE_DOMAIN,
    }
