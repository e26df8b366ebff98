from django.conf import settings
from django.db import connection


def current_site(request):
    tenant = getattr(request, "tenant", None)
    return {
        "current_tenant": tenant,
        "is_hub_site": connection.schema_name == "public",
        "parkhub_base_domain": settings.PARKHUB_BASE_DOMAIN,
    }
