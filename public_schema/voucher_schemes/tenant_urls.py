"""A sub-platform's site: the issuer pages and the enterprise's own, under one namespace."""

from .urls import app_name, enterprise_urlpatterns
from .urls import urlpatterns as issuer_urlpatterns

urlpatterns = issuer_urlpatterns + enterprise_urlpatterns
__all__ = ["app_name", "urlpatterns"]
