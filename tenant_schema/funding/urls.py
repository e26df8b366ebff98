"""The park's programme pages, mounted at the tenant site's root."""

from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("park/programmes/", views.programme_list, name="programme_list"),
    path("park/programmes/new/", views.programme_new, name="programme_new"),
    path("park/programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("park/programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("park/programmes/<int:pk>/stages/", views.programme_stages, name="programme_stages"),
    path("park/programmes/<int:pk>/open/", views.programme_open_view, name="programme_open"),
    path("park/programmes/<int:pk>/close/", views.programme_close_view, name="programme_close"),
]
