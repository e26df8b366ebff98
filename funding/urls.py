"""Pages of the funding app (to be written)."""

app_name = "funding"
urlpatterns: list = []
