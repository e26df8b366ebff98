"""Excel import pages, mounted at /park/enterprises/import/ (park administrators only)."""

from django.urls import path

from . import import_views

app_name = "enterprise_import"
urlpatterns = [
    path("", import_views.import_upload, name="upload"),
    path("template.xlsx", import_views.import_template, name="template"),
    path("<uuid:batch_id>/", import_views.import_batch, name="batch"),
    path("<uuid:batch_id>/confirm/", import_views.import_confirm, name="confirm"),
    path("<uuid:batch_id>/discard/", import_views.import_discard, name="discard"),
    path("<uuid:batch_id>/progress.json", import_views.import_progress, name="progress"),
]
