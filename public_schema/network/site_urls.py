"""Pages of a service institution's own site (saas/urls_institutions.py mounts them at the root)."""

from django.urls import path

from . import site_views

app_name = "institution"

urlpatterns = [
    path("", site_views.dashboard, name="dashboard"),
    path("profile/", site_views.profile_detail, name="profile"),
    path("profile/edit/", site_views.profile_edit, name="profile_edit"),
    path("profile/submit/", site_views.profile_submit, name="profile_submit"),
    path("products/", site_views.product_list, name="products"),
    path("products/new/", site_views.product_new, name="product_new"),
    path("products/<int:pk>/edit/", site_views.product_edit, name="product_edit"),
    path("products/<int:pk>/unpublish/", site_views.product_unpublish, name="product_unpublish"),
    path("staff/", site_views.staff, name="staff"),
]
