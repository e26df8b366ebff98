"""Network order pages of a sub-platform's site: the enterprise's under network/, the park's under park/."""

from django.urls import path

from . import views

app_name = "network_orders"

urlpatterns = [
    path("network/", views.catalogue, name="catalogue"),
    path("network/products/<int:pk>/", views.product_detail, name="product"),
    path("network/orders/", views.my_orders, name="mine"),
    path("network/orders/<int:pk>/", views.order_detail, name="order"),
    path("network/orders/<int:pk>/act/", views.order_act, name="order_act"),
    path("network/orders/<int:pk>/pay/", views.order_pay, name="order_pay"),
    path("park/network-orders/", views.park_orders, name="park_orders"),
]
