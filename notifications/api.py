"""API (to be written)."""

urlpatterns: list = []
