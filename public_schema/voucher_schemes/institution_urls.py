"""An institution's claim pages; saas/urls_institutions.py includes them:

path("", include("public_schema.voucher_schemes.institution_urls")),
"""

from django.urls import path

from . import views

app_name = "voucher_claims"

urlpatterns = [
    path("voucher-claims/", views.institution_claims, name="list"),
    path("voucher-claims/new/", views.institution_claim_new, name="new"),
    path("voucher-claims/<int:pk>/", views.institution_claim, name="detail"),
    path("voucher-claims/<int:pk>/files/<int:file_pk>/", views.institution_claim_file, name="file"),
]
