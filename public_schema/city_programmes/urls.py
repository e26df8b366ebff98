from django.urls import path

from . import views

app_name = "citywide"

urlpatterns = [
    path("city-programmes/", views.programme_list, name="list"),
    path("city-programmes/<int:pk>/", views.programme_detail, name="detail"),
]
