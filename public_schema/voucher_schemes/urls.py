"""Voucher pages of the hub and of every sub-platform's site (issuer pages; the enterprise's own)."""

from django.urls import path

from . import views

app_name = "vouchers"

urlpatterns = [
    path("network-vouchers/schemes/", views.issuer_schemes, name="issuer-schemes"),
    path("network-vouchers/schemes/<int:pk>/", views.issuer_scheme, name="issuer-scheme"),
    path("network-vouchers/applications/", views.issuer_applications, name="issuer-applications"),
    path("network-vouchers/figures/", views.hub_figures, name="figures"),
    path("network-vouchers/claims/", views.issuer_claims, name="issuer-claims"),
    path("network-vouchers/claims/<int:pk>/", views.issuer_claim, name="issuer-claim"),
    path(
        "network-vouchers/claims/<int:pk>/files/<int:file_pk>/",
        views.issuer_claim_file,
        name="issuer-claim-file",
    ),
]

# The enterprise's pages, on a sub-platform's site only.
enterprise_urlpatterns = [
    path("my/network-vouchers/", views.my_vouchers, name="mine"),
    path("my/network-vouchers/schemes/<int:pk>/apply/", views.scheme_apply, name="apply"),
]
