"""Network demands API: the same operations as the pages, on every site (sub-platform,
institution, hub). A demand is fetched through `demand_get_for_user`: another unit's copy,
another enterprise's, or another tenant's is the same 404 as one that does not exist. A step
the workflow does not allow now, or not to the caller, is a 409 with the reason.
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

from public_schema.handling_units.models import HandlingUnit
from public_schema.handling_units.selectors import unit_ids_for_user
from saas.api.schema import ErrorSerializer

from . import workflow as wf
from .selectors import (
    demand_get_for_user,
    demand_is_pending,
    demand_list_for_user,
    demand_timeline,
    figures,
    is_supervisor,
    supervision_board,
)
from .serializers import (
    NetworkDemandDemandDetailSerializer,
    NetworkDemandDemandFileSerializer,
    NetworkDemandDemandOutputSerializer,
    NetworkDemandDemandStepSerializer,
    NetworkDemandFiguresSerializer,
)
from .services import demand_file, demand_step

TAG = "network-demands"
NOT_FOUND = OpenApiResponse(description=_("No such demand, or not one you may see."))
REFUSED = OpenApiResponse(
    response=ErrorSerializer,
    description=_("The workflow refuses this step now, or it is not yours to take; `message` says why."),
)


def _detail(request, pk) -> Response:
    demand = demand_get_for_user(user=request.user, pk=pk)
    context = {
        "request": request,
        "timeline": demand_timeline(demand=demand, user=request.user),
        "pending": demand_is_pending(demand=demand),
    }
    return NetworkDemandDemandDetailSerializer(demand, context=context).data


class DemandListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        tags=[TAG],
        summary=_("Network demands: the enterprise's own, or the copies of the caller's unit"),
        parameters=[OpenApiParameter("held", OpenApiTypes.BOOL, description=_("Only those held now."))],
        responses=NetworkDemandDemandOutputSerializer(many=True),
    )
    def get(self, request):
        held = request.query_params.get("held") in ("1", "true")
        rows = demand_list_for_user(user=request.user, held_only=held)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(NetworkDemandDemandOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_(
            "File a network demand (enterprise, online) or record one (a unit's staff, with its channel)"
        ),
        request=NetworkDemandDemandFileSerializer,
        responses={201: NetworkDemandDemandDetailSerializer, 400: OpenApiResponse(description=_("Invalid."))},
    )
    def post(self, request):
        serializer = NetworkDemandDemandFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        unit_id = values.pop("unit", None)
        reference = values.pop("reference", None)
        unit = None
        if values.get("channel") != "online":
            ids = unit_ids_for_user(request.user)
            unit = HandlingUnit.objects.filter(pk=unit_id if unit_id else None, pk__in=ids).first()
            if unit is None and len(ids) == 1:
                unit = HandlingUnit.objects.get(pk=next(iter(ids)))
        demand = demand_file(
            actor=request.user, unit=unit, reference=str(reference) if reference else None, **values
        )
        return Response(_detail(request, demand.pk), status=status.HTTP_201_CREATED)


class DemandDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary=_("One network demand: who holds it, until when, its timeline and the steps open to you"),
        responses={200: NetworkDemandDemandDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(_detail(request, pk))


class DemandStepApi(APIView):
    permission_classes = [IsAuthenticated]  # who may take a step is the workflow's call (409)

    @extend_schema(
        tags=[TAG],
        summary=_("Take a step on a network demand"),
        operation_id="network_demands_step",
        description=_(
            "The holding unit: `handle` (`category`), `dispatch` (`category`, `to_unit`, reason in `comment`), "
            "`sign`, `send_back` (reason), `transfer` (`to_unit`, reason), `request_extension` "
            "(`extension_days`, reason), `answer` (the answer in `comment`). The dispatcher: "
            "`approve_extension`, `refuse_extension` (reason), `return_visit` (`rating`, notes in `comment`). "
            "The enterprise: `rate` (`rating`). The hub's supervision office: `supervise` (`deadline`, notice). "
            "Send `expected_status` (or the extension status) to turn a repeat into a 409."
        ),
        parameters=[
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=[a for a in wf.ACTIONS if a != wf.RECEIVE_AGAIN],
            )
        ],
        request=NetworkDemandDemandStepSerializer,
        responses={
            200: NetworkDemandDemandDetailSerializer,
            400: OpenApiResponse(description=_("A field is missing.")),
            404: NOT_FOUND,
            409: REFUSED,
        },
    )
    def post(self, request, pk: int, action: str):
        demand = demand_get_for_user(user=request.user, pk=pk)
        if action not in wf.ACTIONS or action == wf.RECEIVE_AGAIN:
            raise Http404("No such action")
        serializer = NetworkDemandDemandStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}
        demand_step(demand=demand, action=action, actor=request.user, **values)
        return Response(_detail(request, pk))


class SupervisionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary=_("The hub's supervision board: overdue, unsigned, extended and reopened demands"),
        responses={200: OpenApiResponse(description=_("Lists by section.")), 404: NOT_FOUND},
    )
    def get(self, request):
        if not is_supervisor(request.user):
            raise Http404("No such page")
        board = supervision_board()
        return Response(
            {key: NetworkDemandDemandOutputSerializer(rows, many=True).data for key, rows in board.items()}
        )


class FiguresApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary=_(
            "Resolution, on-time, satisfaction and handling time, city-wide or per unit/sub-platform/category"
        ),
        parameters=[OpenApiParameter("by", OpenApiTypes.STR, enum=["unit", "subplatform", "category"])],
        responses={200: NetworkDemandFiguresSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request):
        if not is_supervisor(request.user):
            raise Http404("No such page")
        by = request.query_params.get("by") or None
        if by not in (None, "unit", "subplatform", "category"):
            return Response({"by": [_("Choose unit, subplatform or category.")]}, status=400)
        return Response(NetworkDemandFiguresSerializer(figures(by=by), many=True).data)


urlpatterns = [
    path("network-demands/", DemandListApi.as_view(), name="network-demand-list"),
    path("network-demands/<int:pk>/", DemandDetailApi.as_view(), name="network-demand-detail"),
    path("network-demands/<int:pk>/<str:action>/", DemandStepApi.as_view(), name="network-demand-step"),
]

hub_urlpatterns = [
    *urlpatterns,
    path("network-demands/supervision/", SupervisionApi.as_view(), name="network-demand-supervision"),
    path("network-demands/figures/", FiguresApi.as_view(), name="network-demand-figures"),
]
