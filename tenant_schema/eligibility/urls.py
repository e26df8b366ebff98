"""Policy matching pages, mounted at the tenant site's root."""

from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("matching/", views.report, name="report"),
    path("matching/report.pdf", views.report_pdf, name="report_pdf"),
    path("matching/auto/<int:pk>/decline/", views.auto_decline, name="auto_decline"),
    path("park/matching/", views.overview, name="overview"),
    path("park/programmes/<int:pk>/eligibility/", views.rules_edit, name="rules"),
    path("park/programmes/<int:pk>/qualifying/", views.qualifying, name="qualifying"),
    path("park/programmes/<int:pk>/push/", views.push, name="push"),
]
