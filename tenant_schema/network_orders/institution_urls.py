"""Network order pages of an institution's site, for saas/urls_institutions.py:

    path("", include("tenant_schema.network_orders.institution_urls")),

and its API beside the institution's other API routes:

    path("", include(tenant_schema.network_orders.api.urlpatterns)),
"""

from django.urls import path

from . import views

app_name = "network_orders_institution"

urlpatterns = [
    path("orders/", views.institution_desk, name="desk"),
    path("orders/<int:pk>/", views.institution_order, name="order"),
    path("orders/<int:pk>/act/", views.institution_order_act, name="order_act"),
    path("orders/<int:pk>/files/<int:file_pk>/", views.institution_order_file, name="order_file"),
]
