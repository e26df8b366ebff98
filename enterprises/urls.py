"""Enterprise pages (to be written)."""

app_name = "enterprises"
urlpatterns: list = []
