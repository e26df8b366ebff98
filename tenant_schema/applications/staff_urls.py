"""The park's application pages, mounted at park/applications/."""

from django.urls import path

from . import staff_views as views

app_name = "applications_staff"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.application_act, name="act"),
    path("<int:pk>/documents/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
