"""Network orders API: the catalogue of network products (enterprises of a sub-platform), orders
placed and followed (enterprises; park staff read their enterprises'), and an institution's
orders and steps (the same views on the institution's site: `urlpatterns` there too).

Every order is fetched through `order_get_for_user`: another enterprise's order, another
side's, or another tenant's is the same 404 as one that does not exist. A step the workflow
does not allow now, or not to the caller, is a 409 with the reason.
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from saas.api.schema import ErrorSerializer

from . import workflow as wf
from .selectors import (
    current_tenant,
    institution_evaluations,
    network_product_get_visible,
    network_product_list_visible,
    order_get_for_user,
    order_list_for_user,
    orders_pending,
)
from .serializers import (
    OrderDetailSerializer,
    OrderOutputSerializer,
    OrderPlaceSerializer,
    OrderStepSerializer,
    ProductFilterSerializer,
    ProductOutputSerializer,
)
from .services import order_place, order_step

TAG = "network"
NOT_FOUND = OpenApiResponse(description=_("No such order or product, or not one you may see."))
REFUSED = OpenApiResponse(
    response=ErrorSerializer,
    description=_("The workflow refuses this step now, or it is not yours to take; `message` says why."),
)


def products_with_evaluations(products) -> tuple[list, dict]:
    products = list(products)
    evaluations = institution_evaluations(institution_ids=sorted({p.institution_id for p in products}))
    return products, evaluations


class ProductListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        tags=[TAG],
        summary=_("The network catalogue (服务超市) offered to this sub-platform"),
        description=_(
            "Products of admitted institutions offered here, with each institution's evaluation: orders, "
            "on-time delivery rate and average rating. Filters: category, price range, free only, minimum rating."
        ),
        parameters=[ProductFilterSerializer],
        responses=ProductOutputSerializer(many=True),
    )
    def get(self, request):
        filters = ProductFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = dict(filters.validated_data)
        min_rating = values.pop("min_rating", None)
        products, evaluations = products_with_evaluations(
            network_product_list_visible(tenant=current_tenant(), **values)
        )
        if min_rating is not None:
            products = [
                p
                for p in products
                if (e := evaluations.get(p.institution_id))
                and e.rating_average
                and e.rating_average >= min_rating
            ]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(products, request, view=self)
        return paginator.get_paginated_response(
            ProductOutputSerializer(page, many=True, context={"evaluations": evaluations}).data
        )


class ProductDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG], summary=_("One network product"), responses={200: ProductOutputSerializer, 404: NOT_FOUND}
    )
    def get(self, request, pk: int):
        product = network_product_get_visible(tenant=current_tenant(), pk=pk)
        _products, evaluations = products_with_evaluations([product])
        return Response(ProductOutputSerializer(product, context={"evaluations": evaluations}).data)


def _context(request, orders) -> dict:
    return {"request": request, "pending": orders_pending(references=[o.reference for o in orders])}


class OrderListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        tags=[TAG],
        summary=_("Network orders you may see"),
        description=_(
            "An enterprise: its own orders. Park staff: the orders of the park's enterprises (read only). "
            "An institution's staff: the orders it received, with only what the order needs of the enterprise."
        ),
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=[s for s, _label in wf.S.choices])],
        responses=OrderOutputSerializer(many=True),
    )
    def get(self, request):
        orders = order_list_for_user(user=request.user, status=request.query_params.get("status") or None)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(
            OrderOutputSerializer(page, many=True, context=_context(request, page)).data
        )

    @extend_schema(
        tags=[TAG],
        summary=_("Order a network product"),
        description=_(
            "A verified enterprise orders a product offered to its sub-platform, choosing the contact the "
            "institution sees. The order is pending until the institution's copy is made (seconds)."
        ),
        request=OrderPlaceSerializer,
        responses={
            201: OrderDetailSerializer,
            400: OpenApiResponse(description=_("Not allowed or invalid.")),
            404: NOT_FOUND,
        },
    )
    def post(self, request):
        serializer = OrderPlaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        reference = values.pop("reference", None)
        order = order_place(actor=request.user, reference=str(reference) if reference else None, **values)
        order = order_get_for_user(user=request.user, pk=order.pk)
        return Response(
            OrderDetailSerializer(order, context=_context(request, [order])).data,
            status=status.HTTP_201_CREATED,
        )


class OrderDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary=_("One network order, with its timeline"),
        responses={200: OrderDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        order = order_get_for_user(user=request.user, pk=pk)
        return Response(OrderDetailSerializer(order, context=_context(request, [order])).data)


class OrderStepApi(APIView):
    permission_classes = [IsAuthenticated]  # who may take a step is the workflow's call (409)

    @extend_schema(
        tags=[TAG],
        summary=_("Take a step on a network order"),
        operation_id="network_orders_step",
        description=_(
            "The enterprise: `cancel` (before acceptance, optional `comment`), `confirm` (after delivery, "
            "`rating` 1–5, optional `rating_comment`). The institution: `accept`, `refuse` (reason in "
            "`comment`), `confirm_payment` (optional `transfer_reference`), `deliver` (`delivery_note`). "
            "The step reaches the other side's copy through the network (`pending` until then)."
        ),
        parameters=[
            OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(wf.ACTIONS))
        ],
        request=OrderStepSerializer,
        responses={
            200: OrderDetailSerializer,
            400: OpenApiResponse(description=_("A field is missing.")),
            404: NOT_FOUND,
            409: REFUSED,
        },
    )
    def post(self, request, pk: int, action: str):
        order = order_get_for_user(user=request.user, pk=pk)
        if action not in wf.ACTIONS:
            raise Http404("No such action")
        serializer = OrderStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}
        order_step(order=order, action=action, actor=request.user, **values)
        order = order_get_for_user(user=request.user, pk=pk)
        return Response(OrderDetailSerializer(order, context=_context(request, [order])).data)


urlpatterns = [
    path("network/products/", ProductListApi.as_view(), name="network-product-list"),
    path("network/products/<int:pk>/", ProductDetailApi.as_view(), name="network-product-detail"),
    path("network/orders/", OrderListApi.as_view(), name="network-order-list"),
    path("network/orders/<int:pk>/", OrderDetailApi.as_view(), name="network-order-detail"),
    path("network/orders/<int:pk>/<str:action>/", OrderStepApi.as_view(), name="network-order-step"),
]

# An institution's site: the orders it received, through the same views (they answer for the
# seller's side there); it buys nothing, so no catalogue.
institution_urlpatterns = [route for route in urlpatterns if route.name.startswith("network-order-")]
