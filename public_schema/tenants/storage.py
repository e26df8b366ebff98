from django.conf import settings
from django_tenants.files.storage import TenantFileSystemStorage


class TenantMediaStorage(TenantFileSystemStorage):
    """Uploads land in MEDIA_ROOT/<schema>/; URLs stay /media/<name> on the tenant's own host.

    The URL carries no schema name: the media view reads the schema from the host, so a
    link copied to another tenant's host finds nothing there.
    """

    @property
    def base_url(self):
        return settings.MEDIA_URL
