"""Pages of the applications app (to be written)."""

app_name = "applications"
urlpatterns: list = []
