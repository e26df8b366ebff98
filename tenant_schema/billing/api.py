"""Billing API: catalogue, providers, checkout, subscriptions, offline transfers, vouchers, ratings, revenue.

Every object is fetched through a scoped selector, so an id the user may not see (another
enterprise's subscription or voucher, anything of another park) is the same 404 as an id
that does not exist; what the user may do with it is decided afterwards (403).
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from saas.api.exceptions import referenced
from saas.api.filters import DjangoFilterBackend, SyncFilterSet, collection_filter
from tenant_schema.enterprises.permissions import IsParkAdministrator
from tenant_schema.enterprises.selectors import (
    enterprise_get_for_user,
    enterprise_of_user,
    user_is_park_admin,
    user_is_park_staff,
)

from . import stripe_gateway
from .models import Payment, Subscription
from .selectors import (
    access_end,
    provider_list,
    provider_ranking,
    revenue_by_month,
    service_get_for_user,
    service_list,
    service_ratings,
    subscription_entitles,
    subscription_get_for_user,
    subscription_list_for_user,
    voucher_get_for_user,
    voucher_list_for_user,
)
from .serializers import (
    CheckoutInputSerializer,
    CheckoutOutputSerializer,
    EntitlementSerializer,
    MonthRevenueSerializer,
    ProviderRankSerializer,
    ProviderSerializer,
    RatingSerializer,
    ServiceInputSerializer,
    ServiceOutputSerializer,
    SubscriptionOutputSerializer,
    TransferInputSerializer,
    VoucherInputSerializer,
    VoucherOutputSerializer,
)
from .services import (
    payment_sync_from_stripe,
    provider_create,
    rating_submit,
    service_create,
    service_update,
    subscription_cancel,
    subscription_checkout,
    subscription_confirm_transfer,
    subscription_pay_online,
    subscription_refund,
    subscription_request_transfer,
    voucher_issue,
    voucher_void,
)

TAG = "billing"
NOT_FOUND = OpenApiResponse(description=_("No such object, or not one you may see."))


def _shown_to(request) -> dict:
    """Serializer context: histories name who acted only to park staff (as applications' do)."""
    return {"staff": user_is_park_staff(request.user)}


def _paginated(view: APIView, queryset, serializer_class):
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(
        serializer_class(page, many=True, context=_shown_to(view.request)).data
    )


# ---------------------------------------------------------------------------
# Catalogue and providers
# ---------------------------------------------------------------------------


class ServiceFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, max_length=100)
    category = serializers.CharField(required=False, allow_blank=True, max_length=20)
    include_inactive = serializers.BooleanField(
        required=False, default=False, help_text=_("Park staff only.")
    )


class ServiceListCreateApi(APIView):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the page in the schema

    def get_permissions(self):
        return (
            [IsAuthenticated(), IsParkAdministrator()]
            if self.request.method == "POST"
            else [IsAuthenticated()]
        )

    @extend_schema(
        tags=[TAG],
        summary=_("The park's service catalogue"),
        description=_(
            "Services on offer with price per month, terms, average rating and number of subscribers."
        ),
        parameters=[ServiceFilterSerializer],
        responses=ServiceOutputSerializer(many=True),
    )
    def get(self, request):
        filters = ServiceFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return _paginated(
            self, service_list(user=request.user, **filters.validated_data), ServiceOutputSerializer
        )

    @extend_schema(
        tags=[TAG],
        summary=_("Add a service"),
        description=_("Park administrators only."),
        request=ServiceInputSerializer,
        responses={201: ServiceOutputSerializer},
    )
    def post(self, request):
        serializer = ServiceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = service_create(actor=request.user, **serializer.validated_data)
        service = service_get_for_user(user=request.user, pk=service.pk)
        return Response(ServiceOutputSerializer(service).data, status=status.HTTP_201_CREATED)


class ServiceDetailApi(APIView):
    @extend_schema(
        tags=[TAG], summary=_("One service"), responses={200: ServiceOutputSerializer, 404: NOT_FOUND}
    )
    def get(self, request, pk: int):
        return Response(ServiceOutputSerializer(service_get_for_user(user=request.user, pk=pk)).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Change a service"),
        description=_("Park administrators only. A new price applies to new orders, never to paid terms."),
        request=ServiceInputSerializer(partial=True),
        responses={200: ServiceOutputSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int):
        service = service_get_for_user(user=request.user, pk=pk)
        if not user_is_park_admin(request.user):
            raise exceptions.PermissionDenied(IsParkAdministrator.message)  # the one error shape
        serializer = ServiceInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        service_update(actor=request.user, service=service, **serializer.validated_data)
        return Response(ServiceOutputSerializer(service_get_for_user(user=request.user, pk=pk)).data)


class ServiceRatingsApi(APIView):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the page in the schema

    @extend_schema(
        tags=[TAG],
        summary=_("Ratings of a service"),
        responses={200: RatingSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        service = service_get_for_user(user=request.user, pk=pk)
        return _paginated(self, service_ratings(service=service), RatingSerializer)

    @extend_schema(
        tags=[TAG],
        summary=_("Rate a service"),
        description=_(
            "An enterprise that has used the service gives 1 to 5 stars and a comment; rating again replaces it."
        ),
        request=RatingSerializer,
        responses={200: RatingSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        service = service_get_for_user(user=request.user, pk=pk)
        serializer = RatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = rating_submit(actor=request.user, service=service, **serializer.validated_data)
        return Response(RatingSerializer(rating).data)


class ProviderListCreateApi(APIView):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the page in the schema

    def get_permissions(self):
        return (
            [IsAuthenticated(), IsParkAdministrator()]
            if self.request.method == "POST"
            else [IsAuthenticated()]
        )

    @extend_schema(tags=[TAG], summary=_("Service providers"), responses=ProviderSerializer(many=True))
    def get(self, request):
        return _paginated(self, provider_list(), ProviderSerializer)

    @extend_schema(
        tags=[TAG],
        summary=_("Add a service provider"),
        description=_("Park administrators only."),
        request=ProviderSerializer,
        responses={201: ProviderSerializer},
    )
    def post(self, request):
        serializer = ProviderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        provider = provider_create(actor=request.user, **serializer.validated_data)
        return Response(ProviderSerializer(provider).data, status=status.HTTP_201_CREATED)


class ProviderRankingApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("Providers ranked"),
        description=_(
            "By average rating, then by number of paid terms; the park's own services count as one provider."
        ),
        responses=ProviderRankSerializer(many=True),
    )
    def get(self, request):
        return Response(ProviderRankSerializer(provider_ranking(), many=True).data)


# ---------------------------------------------------------------------------
# Subscriptions
# ---------------------------------------------------------------------------


class SubscriptionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Subscription.Status.choices, required=False, allow_blank=True)
    service_id = serializers.IntegerField(required=False, allow_null=True)


class SubscriptionSyncFilter(SyncFilterSet):
    class Meta:
        model = Subscription
        fields: list[str] = []


class SubscriptionListCreateApi(APIView):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the page in the schema
    queryset = Subscription.objects.none()  # the model, for the schema's filter parameters
    filter_backends = [DjangoFilterBackend]
    filterset_class = SubscriptionSyncFilter

    @extend_schema(
        tags=[TAG],
        summary=_("Subscriptions"),
        description=_(
            "Park staff see every subscription of the park; an enterprise user sees its enterprise's."
        ),
        parameters=[SubscriptionFilterSerializer],
        responses=SubscriptionOutputSerializer(many=True),
    )
    def get(self, request):
        filters = SubscriptionFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        subscriptions = subscription_list_for_user(
            user=request.user, **filters.validated_data
        ).prefetch_related("payments")
        subscriptions = collection_filter(view=self, queryset=subscriptions)
        return _paginated(self, subscriptions, SubscriptionOutputSerializer)

    @extend_schema(
        tags=[TAG],
        summary=_("Order a service (checkout)"),
        description=_(
            "An enterprise user orders one term. The amount is months × monthly price minus the voucher. "
            "With nothing left to pay the term starts at once; with `stripe` the answer carries Stripe's "
            "payment page (`redirect_url`); with `offline` the park confirms the transfer on receipt."
        ),
        request=CheckoutInputSerializer,
        responses={201: CheckoutOutputSerializer},
    )
    def post(self, request):
        serializer = CheckoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        service = referenced(
            field="service", lookup=service_get_for_user, user=request.user, pk=data.pop("service")
        )
        renews = referenced(
            field="renews", lookup=subscription_get_for_user, user=request.user, pk=data.pop("renews", None)
        )
        checkout = subscription_checkout(actor=request.user, service=service, renews=renews, **data)
        subscription = subscription_get_for_user(user=request.user, pk=checkout.subscription.pk)
        return Response(
            CheckoutOutputSerializer(
                {"subscription": subscription, "redirect_url": checkout.redirect_url},
                context=_shown_to(request),
            ).data,
            status=status.HTTP_201_CREATED,
        )


class _OneSubscriptionApi(APIView):
    def get_subscription(self, pk: int):
        return subscription_get_for_user(user=self.request.user, pk=pk)

    def respond(self, pk: int):
        return Response(
            SubscriptionOutputSerializer(self.get_subscription(pk), context=_shown_to(self.request)).data
        )


class SubscriptionDetailApi(_OneSubscriptionApi):
    @extend_schema(
        tags=[TAG],
        summary=_("One subscription"),
        description=_("A subscription waiting for a Stripe payment is checked with Stripe first."),
        responses={200: SubscriptionOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        subscription = self.get_subscription(pk)
        if subscription.status == subscription.Status.PENDING_PAYMENT and stripe_gateway.stripe_enabled():
            for payment in subscription.payments.filter(
                method=Payment.Method.STRIPE, status=Payment.Status.PENDING, stripe_session_id__isnull=False
            ):
                try:
                    payment_sync_from_stripe(payment=payment)
                except Exception:  # Stripe unreachable: the webhook will catch up
                    pass
        return self.respond(pk)


class SubscriptionPayApi(_OneSubscriptionApi):
    @extend_schema(
        tags=[TAG],
        summary=_("Pay a waiting order online"),
        description=_(
            "Reopens the current Stripe session, or starts a new attempt with a new idempotency key."
        ),
        request=None,
        responses={200: CheckoutOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        subscription = self.get_subscription(pk)
        if enterprise_of_user(user=request.user) is None:
            raise Http404
        payment = subscription_pay_online(actor=request.user, subscription=subscription)
        return Response(
            CheckoutOutputSerializer(
                {"subscription": self.get_subscription(pk), "redirect_url": payment.checkout_url},
                context=_shown_to(request),
            ).data
        )


class SubscriptionTransferApi(_OneSubscriptionApi):
    @extend_schema(
        tags=[TAG],
        summary=_("Pay a waiting order by bank transfer"),
        description=_("The enterprise announces a transfer (对公转账); the park confirms it on receipt."),
        request=TransferInputSerializer,
        responses={200: SubscriptionOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        subscription = self.get_subscription(pk)
        if enterprise_of_user(user=request.user) is None:
            raise Http404
        serializer = TransferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription_request_transfer(
            actor=request.user, subscription=subscription, **serializer.validated_data
        )
        return self.respond(pk)


class SubscriptionConfirmTransferApi(_OneSubscriptionApi):
    permission_classes = [IsAuthenticated, IsParkAdministrator]

    @extend_schema(
        tags=[TAG],
        summary=_("Confirm receipt of a transfer"),
        description=_("Park administrators only; the term starts now."),
        request=TransferInputSerializer,
        responses={200: SubscriptionOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        subscription = self.get_subscription(pk)
        serializer = TransferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription_confirm_transfer(
            actor=request.user, subscription=subscription, **serializer.validated_data
        )
        return self.respond(pk)


class SubscriptionCancelApi(_OneSubscriptionApi):
    @extend_schema(
        tags=[TAG],
        summary=_("Cancel an unpaid order"),
        description=_("Its voucher becomes usable again; an open Stripe session is closed first."),
        request=None,
        responses={200: SubscriptionOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        subscription_cancel(actor=request.user, subscription=self.get_subscription(pk))
        return self.respond(pk)


class SubscriptionRefundApi(_OneSubscriptionApi):
    permission_classes = [IsAuthenticated, IsParkAdministrator]

    @extend_schema(
        tags=[TAG],
        summary=_("Refund a paid term"),
        description=_(
            "Park administrators only. Access ends at once; a Stripe payment is refunded through Stripe."
        ),
        request=None,
        responses={200: SubscriptionOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        subscription_refund(actor=request.user, subscription=self.get_subscription(pk))
        return self.respond(pk)


class EntitlementApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("May my enterprise use this service now?"),
        description=_("The same check the pages use: a paid term covers this moment."),
        responses={200: EntitlementSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        service = service_get_for_user(user=request.user, pk=pk)
        enterprise = enterprise_of_user(user=request.user)
        return Response(
            EntitlementSerializer(
                {
                    "service": service.pk,
                    "entitled": subscription_entitles(enterprise=enterprise, service=service),
                    "access_ends_at": access_end(enterprise=enterprise, service=service),
                }
            ).data
        )


# ---------------------------------------------------------------------------
# Vouchers and revenue
# ---------------------------------------------------------------------------


class VoucherListCreateApi(APIView):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # documents the page in the schema

    def get_permissions(self):
        return (
            [IsAuthenticated(), IsParkAdministrator()]
            if self.request.method == "POST"
            else [IsAuthenticated()]
        )

    @extend_schema(
        tags=[TAG],
        summary=_("Service vouchers"),
        description=_("Park staff see every voucher of the park; an enterprise user sees its enterprise's."),
        responses=VoucherOutputSerializer(many=True),
    )
    def get(self, request):
        return _paginated(self, voucher_list_for_user(user=request.user), VoucherOutputSerializer)

    @extend_schema(
        tags=[TAG],
        summary=_("Issue a voucher"),
        description=_("Park administrators only: for one named enterprise, not transferable, usable once."),
        request=VoucherInputSerializer,
        responses={201: VoucherOutputSerializer},
    )
    def post(self, request):
        serializer = VoucherInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        enterprise = referenced(
            field="enterprise", lookup=enterprise_get_for_user, user=request.user, pk=data.pop("enterprise")
        )
        service = referenced(
            field="service", lookup=service_get_for_user, user=request.user, pk=data.pop("service", None)
        )
        voucher = voucher_issue(actor=request.user, enterprise=enterprise, service=service, **data)
        return Response(
            VoucherOutputSerializer(voucher, context=_shown_to(request)).data, status=status.HTTP_201_CREATED
        )


class VoucherDetailApi(APIView):
    @extend_schema(
        tags=[TAG], summary=_("One voucher"), responses={200: VoucherOutputSerializer, 404: NOT_FOUND}
    )
    def get(self, request, pk: int):
        voucher = voucher_get_for_user(user=request.user, pk=pk)
        return Response(VoucherOutputSerializer(voucher, context=_shown_to(request)).data)


class VoucherVoidApi(APIView):
    permission_classes = [IsAuthenticated, IsParkAdministrator]

    @extend_schema(
        tags=[TAG],
        summary=_("Withdraw an unused voucher"),
        request=None,
        responses={200: VoucherOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        voucher_void(actor=request.user, voucher=voucher_get_for_user(user=request.user, pk=pk))
        voucher = voucher_get_for_user(user=request.user, pk=pk)  # with its history
        return Response(VoucherOutputSerializer(voucher, context=_shown_to(request)).data)


class RevenueApi(APIView):
    permission_classes = [IsAuthenticated, IsParkAdministrator]  # the park's money: not a reviewer's to read

    @extend_schema(
        tags=[TAG],
        summary=_("Revenue per month"),
        description=_(
            "Money received per month (Asia/Shanghai), refunds in the month they were made, in CNY."
        ),
        responses=MonthRevenueSerializer(many=True),
    )
    def get(self, request):
        return Response(MonthRevenueSerializer(revenue_by_month(), many=True).data)


urlpatterns = [
    path("billing/services/", ServiceListCreateApi.as_view(), name="billing-service-list"),
    path("billing/services/<int:pk>/", ServiceDetailApi.as_view(), name="billing-service-detail"),
    path("billing/services/<int:pk>/ratings/", ServiceRatingsApi.as_view(), name="billing-service-ratings"),
    path(
        "billing/services/<int:pk>/entitlement/", EntitlementApi.as_view(), name="billing-service-entitlement"
    ),
    path("billing/providers/", ProviderListCreateApi.as_view(), name="billing-provider-list"),
    path("billing/providers/ranking/", ProviderRankingApi.as_view(), name="billing-provider-ranking"),
    path("billing/subscriptions/", SubscriptionListCreateApi.as_view(), name="billing-subscription-list"),
    path(
        "billing/subscriptions/<int:pk>/", SubscriptionDetailApi.as_view(), name="billing-subscription-detail"
    ),
    path(
        "billing/subscriptions/<int:pk>/pay/", SubscriptionPayApi.as_view(), name="billing-subscription-pay"
    ),
    path(
        "billing/subscriptions/<int:pk>/transfer/",
        SubscriptionTransferApi.as_view(),
        name="billing-subscription-transfer",
    ),
    path(
        "billing/subscriptions/<int:pk>/confirm-transfer/",
        SubscriptionConfirmTransferApi.as_view(),
        name="billing-subscription-confirm-transfer",
    ),
    path(
        "billing/subscriptions/<int:pk>/cancel/",
        SubscriptionCancelApi.as_view(),
        name="billing-subscription-cancel",
    ),
    path(
        "billing/subscriptions/<int:pk>/refund/",
        SubscriptionRefundApi.as_view(),
        name="billing-subscription-refund",
    ),
    path("billing/vouchers/", VoucherListCreateApi.as_view(), name="billing-voucher-list"),
    path("billing/vouchers/<int:pk>/", VoucherDetailApi.as_view(), name="billing-voucher-detail"),
    path("billing/vouchers/<int:pk>/void/", VoucherVoidApi.as_view(), name="billing-voucher-void"),
    path("billing/revenue/", RevenueApi.as_view(), name="billing-revenue"),
]
