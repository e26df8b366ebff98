"""Enterprise-facing and public pages of applications, mounted at the tenant site's root.

The reviewers' pages are in staff_views.py and mounted by their own module.
"""

from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("applications/", views.application_list, name="list"),
    path("applications/new/<int:programme_id>/", views.application_new, name="new"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_id>/remove/",
        views.attachment_delete,
        name="attachment_remove",
    ),
    path("notice/", views.notice_list, name="notice"),
    path("notice/<int:application_id>/object/", views.objection_new, name="objection"),
]
