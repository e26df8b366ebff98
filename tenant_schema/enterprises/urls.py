"""Enterprise pages, mounted at the tenant site's root (the Excel import lives under park/enterprises/import/)."""

from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("enterprise/", views.profile, name="profile"),
    path("enterprise/edit/", views.profile_edit, name="profile_edit"),
    path("enterprise/resubmit/", views.resubmit, name="resubmit"),
    path("enterprise/figures/", views.figures, name="figures"),
    path("enterprise/members/", views.members, name="members"),
    path("park/enterprises/", views.park_list, name="park_list"),
    path("park/enterprises/new/", views.park_new, name="park_new"),
    path("park/enterprises/<int:pk>/", views.park_detail, name="park_detail"),
    path("park/enterprises/<int:pk>/edit/", views.park_edit, name="park_edit"),
    path("park/enterprises/<int:pk>/verify/", views.park_verify, name="park_verify"),
    path("park/enterprises/<int:pk>/reject/", views.park_reject, name="park_reject"),
    path(
        "park/enterprises/<int:pk>/members/<int:membership_pk>/invitation/",
        views.park_invitation_resend,
        name="park_invitation_resend",
    ),
]
