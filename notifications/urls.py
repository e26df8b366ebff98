"""Pages of the notifications app (to be written)."""

app_name = "notifications"
urlpatterns: list = []
