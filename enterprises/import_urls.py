"""Excel import pages (to be written)."""

app_name = "enterprise_import"
urlpatterns: list = []
