"""The hub's network demand pages: its desks' demands, the supervision board and the figures."""

from .urls import app_name, hub_urlpatterns, urlpatterns

__all__ = ["app_name", "urlpatterns"]
urlpatterns = [*urlpatterns, *hub_urlpatterns]
