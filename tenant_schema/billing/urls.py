"""Service pages: the enterprise's under services/, the park's under park/services/."""

from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("services/", views.catalogue, name="catalogue"),
    path("services/mine/", views.my_subscriptions, name="mine"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/checkout/", views.checkout, name="checkout"),
    path("services/subscriptions/<int:pk>/", views.subscription_detail, name="subscription"),
    path("services/subscriptions/<int:pk>/pay/", views.subscription_pay, name="subscription_pay"),
    path(
        "services/subscriptions/<int:pk>/transfer/", views.subscription_transfer, name="subscription_transfer"
    ),
    path(
        "services/subscriptions/<int:pk>/cancel/", views.subscription_cancel_view, name="subscription_cancel"
    ),
    path("park/services/", views.park_catalogue, name="park_catalogue"),
    path("park/services/new/", views.park_service_form, name="park_service_new"),
    path("park/services/<int:pk>/edit/", views.park_service_form, name="park_service_edit"),
    path("park/services/providers/new/", views.park_provider_new, name="park_provider_new"),
    path("park/services/subscriptions/", views.park_subscriptions, name="park_subscriptions"),
    path(
        "park/services/subscriptions/<int:pk>/confirm-transfer/",
        views.park_confirm_transfer,
        name="park_confirm_transfer",
    ),
    path("park/services/subscriptions/<int:pk>/refund/", views.park_refund, name="park_refund"),
    path("park/services/transfer-account/", views.park_transfer_account, name="park_transfer_account"),
    path("park/services/vouchers/", views.park_vouchers, name="park_vouchers"),
    path("park/services/vouchers/<int:pk>/void/", views.park_voucher_void, name="park_voucher_void"),
    path("park/services/revenue/", views.park_revenue, name="park_revenue"),
]
