"""Demand pages, mounted at the tenant site's root: /demands/ for enterprises, /park/demands/ for staff."""

from django.urls import path

from . import views

app_name = "demands"

urlpatterns = [
    path("demands/", views.demand_list, name="list"),
    path("demands/new/", views.demand_new, name="new"),
    path("demands/<int:pk>/", views.demand_detail, name="detail"),
    path("demands/<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("demands/<int:pk>/act/<str:action>/", views.demand_act, name="act"),
    path("park/demands/", views.queue, name="queue"),
    path("park/demands/supervision/", views.supervision, name="supervision"),
    path("park/demands/figures/", views.figures, name="figures"),
    path("park/demands/limits/", views.limits, name="limits"),
    path("park/demands/<int:pk>/", views.park_detail, name="park_detail"),
]
