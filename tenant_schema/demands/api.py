"""Demand API: file and follow demands (enterprises), queues, workflow actions, supervision,
category time limits and figures (park staff).

Every demand is fetched through `demand_get_for_user`, so another enterprise's id — or an
id from another park — is the same 404 as one that does not exist. Workflow actions go
through the one transition service: a move the state or the person does not allow is a
**409** (`code: transition_refused`) whose `message` says why; a missing reason, rating or
an extension past 30 working days is a 400 on that field.
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from saas.api.filters import DjangoFilterBackend, SyncFilterSet, collection_filter
from saas.api.schema import ErrorSerializer
from saas.attachments import attachment_response
from tenant_schema.enterprises.permissions import IsParkStaff
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin, user_is_park_staff

from . import workflow as wf
from .models import Demand
from .selectors import (
    category_policy_list,
    demand_attachment_get_for_user,
    demand_figures,
    demand_get_for_user,
    demand_list_for_user,
    demand_queue,
    demand_search,
    demand_supervision_list,
    demand_timeline,
)
from .serializers import (
    AttachmentUploadSerializer,
    CategoryPolicySerializer,
    DemandActionSerializer,
    DemandAttachmentSerializer,
    DemandDetailOutputSerializer,
    DemandFileSerializer,
    DemandFilterSerializer,
    DemandOutputSerializer,
    FiguresFilterSerializer,
    FiguresReportSerializer,
)
from .services import (
    category_policy_set,
    demand_attachment_add,
    demand_file,
    demand_transition,
)

TAG = "demands"
NOT_FOUND = OpenApiResponse(description=_("No such demand, or not one you may see."))
REFUSED = OpenApiResponse(
    response=ErrorSerializer,
    description=_("The workflow refuses this move now, or it is not yours to take; `message` says why."),
)
BAD_REQUEST = OpenApiResponse(
    description=_("A field is missing or wrong (a reason, a rating, too many days); errors by field.")
)


def _detail(demand, request) -> dict:
    staff = user_is_park_staff(request.user)
    timeline = demand_timeline(demand=demand, include_internal=staff)
    context = {
        "timeline": timeline,
        # The workflow's own answer: exactly the moves demand_transition would accept now.
        "allowed_actions": [t.action for t in wf.DEMAND_WORKFLOW.actions_for(request.user, demand)],
    }
    return DemandDetailOutputSerializer(demand, context=context).data


class DemandSyncFilter(SyncFilterSet):
    class Meta:
        model = Demand
        fields: list[str] = []


class DemandListApi(APIView):
    queryset = Demand.objects.none()  # the model, for the schema's filter parameters
    filter_backends = [DjangoFilterBackend]
    filterset_class = DemandSyncFilter
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        tags=[TAG],
        summary=_("List demands"),
        description=_(
            "Park staff see every demand of the park (and may ask for a work list with `view`); an enterprise's "
            "people see their enterprise's. Each demand carries `rag`: red when overdue, amber when its next "
            "deadline falls within 2 working days."
        ),
        parameters=[DemandFilterSerializer],
        responses=DemandOutputSerializer(many=True),
    )
    def get(self, request):
        filters = DemandFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        view = data.get("view") or "all"
        if view != "all" and user_is_park_staff(request.user):
            demands = demand_queue(user=request.user, view=view)
        else:
            demands = demand_list_for_user(user=request.user).order_by("-created_at", "-pk")
        demands = demand_search(
            queryset=demands,
            search=data.get("search", ""),
            status=data.get("status", ""),
            category=data.get("category", ""),
        )
        demands = collection_filter(view=self, queryset=demands)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(demands, request, view=self)
        return paginator.get_paginated_response(DemandOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("File a demand"),
        operation_id="demands_file",
        description=_(
            "An enterprise's own people only. JSON, or multipart/form-data with up to 10 `attachments` "
            "(checked by content: PDF, PNG/JPEG, Word/Excel/PowerPoint). The park's administrators are told."
        ),
        request={"multipart/form-data": DemandFileSerializer, "application/json": DemandFileSerializer},
        responses={
            201: DemandDetailOutputSerializer,
            400: BAD_REQUEST,
            403: OpenApiResponse(description=_("Not an enterprise user.")),
        },
    )
    def post(self, request):
        enterprise = enterprise_of_user(user=request.user)
        if enterprise is None:
            raise PermissionDenied(gettext("Only an enterprise's own people can file a demand."))
        serializer = DemandFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        demand = demand_file(
            enterprise=enterprise,
            filer=request.user,
            category=data["category"],
            title=data["title"],
            description=data["description"],
            uploads=request.FILES.getlist("attachments") if request.FILES else [],
        )
        return Response(
            _detail(demand_get_for_user(user=request.user, pk=demand.pk), request),
            status=status.HTTP_201_CREATED,
        )


class DemandDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary=_("One demand, with its timeline"),
        description=_(
            "Milestones (filed, accepted, first reply, answer, rating) with due and done times and working days "
            "left, every recorded step, the attachments, and the actions the caller may take now."
        ),
        responses={200: DemandDetailOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(_detail(demand_get_for_user(user=request.user, pk=pk), request))


class DemandActionApi(APIView):
    permission_classes = [IsAuthenticated]  # who may act is the workflow's call (409 with the reason)

    @extend_schema(
        tags=[TAG],
        summary=_("Take a workflow action on a demand"),
        operation_id="demands_act",
        description=_(
            "Actions: `accept` (staff; starts the first-reply and resolution deadlines; optional `handler`, "
            "`department`), `assign` (staff; `handler` and/or `department`), `reply` (staff; the first reply in "
            "`comment`), `answer` (staff; the answer in `comment`), `extend` (staff, once; `extension_days` and a "
            "reason in `comment`; never beyond 30 working days from acceptance), `rate` (the enterprise; `rating` "
            "satisfied / basically_satisfied / unsatisfied, a `comment` required when unsatisfied, which reopens "
            "the demand)."
        ),
        parameters=[
            OpenApiParameter(
                "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(wf.DEMAND_WORKFLOW.transitions)
            )
        ],
        request=DemandActionSerializer,
        responses={200: DemandDetailOutputSerializer, 400: BAD_REQUEST, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, pk: int, action: str):
        demand = demand_get_for_user(user=request.user, pk=pk)
        if action not in wf.DEMAND_WORKFLOW.transitions or action == wf.CLOSE_UNRATED:
            raise Http404("No such action")
        serializer = DemandActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        demand_transition(
            demand_id=demand.pk, action=action, actor=request.user, **serializer.to_service_kwargs()
        )
        return Response(_detail(demand_get_for_user(user=request.user, pk=pk), request))


class DemandAttachmentListApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=[TAG],
        summary=_("A demand's attachments"),
        operation_id="demands_attachments_list",
        responses={200: DemandAttachmentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        demand = demand_get_for_user(user=request.user, pk=pk)
        return Response(DemandAttachmentSerializer(demand.attachments.all(), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Add a file to an open demand"),
        operation_id="demands_attachments_add",
        description=_("The enterprise's own people, until the demand is closed."),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: DemandAttachmentSerializer,
            400: BAD_REQUEST,
            403: OpenApiResponse(description=_("Only the enterprise's own people add files.")),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        demand = demand_get_for_user(user=request.user, pk=pk)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = demand_attachment_add(
            demand=demand, actor=request.user, upload=serializer.validated_data["file"]
        )
        return Response(DemandAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class DemandAttachmentFileApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary=_("Download an attachment"),
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    def get(self, request, pk: int, attachment_pk: int):
        attachment = demand_attachment_get_for_user(
            user=request.user, demand_pk=pk, attachment_pk=attachment_pk
        )
        return attachment_response(attachment=attachment)


class DemandSupervisionApi(APIView):
    permission_classes = [IsAuthenticated, IsParkStaff]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        tags=[TAG],
        summary=_("Supervision list: overdue demands"),
        description=_(
            "Park staff. Every demand past its first-reply or resolution deadline, the longest overdue first."
        ),
        responses=DemandOutputSerializer(many=True),
    )
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(demand_supervision_list(), request, view=self)
        return paginator.get_paginated_response(DemandOutputSerializer(page, many=True).data)


class DemandFiguresApi(APIView):
    permission_classes = [IsAuthenticated, IsParkStaff]

    @extend_schema(
        tags=[TAG],
        summary=_("Demand figures of the park"),
        description=_(
            "Received, resolved, resolution rate, on-time reply and resolution rates and satisfaction rate (percent, "
            "one decimal; null when there is nothing to divide by), in total and by category or by month of filing."
        ),
        parameters=[FiguresFilterSerializer],
        responses=FiguresReportSerializer,
    )
    def get(self, request):
        filters = FiguresFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        report = demand_figures(by=filters.validated_data["by"], year=filters.validated_data["year"])
        return Response(FiguresReportSerializer(report).data)


class CategoryPolicyApi(APIView):
    permission_classes = [IsAuthenticated, IsParkStaff]

    @extend_schema(
        tags=[TAG],
        summary=_("Time limits per category"),
        description=_(
            "Every category with its first-reply and resolution limits in working days (3 and 15 unless set)."
        ),
        responses=CategoryPolicySerializer(many=True),
    )
    def get(self, request):
        rows = [policy for _label, policy in category_policy_list()]
        return Response(CategoryPolicySerializer(rows, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Set a category's time limits"),
        description=_("Park administrators. Applies to demands accepted from now on."),
        request=CategoryPolicySerializer,
        responses={
            200: CategoryPolicySerializer,
            400: BAD_REQUEST,
            403: OpenApiResponse(description=_("Not a park administrator.")),
        },
    )
    def put(self, request):
        if not user_is_park_admin(request.user):
            raise PermissionDenied(gettext("Only a park administrator can change time limits."))
        serializer = CategoryPolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = category_policy_set(**serializer.validated_data)
        return Response(CategoryPolicySerializer(policy).data)


urlpatterns = [
    path("demands/", DemandListApi.as_view(), name="demand-list"),
    path("demands/supervision/", DemandSupervisionApi.as_view(), name="demand-supervision"),
    path("demands/figures/", DemandFiguresApi.as_view(), name="demand-figures"),
    path("demands/categories/", CategoryPolicyApi.as_view(), name="demand-categories"),
    path("demands/<int:pk>/", DemandDetailApi.as_view(), name="demand-detail"),
    path("demands/<int:pk>/attachments/", DemandAttachmentListApi.as_view(), name="demand-attachments"),
    path(
        "demands/<int:pk>/attachments/<int:attachment_pk>/",
        DemandAttachmentFileApi.as_view(),
        name="demand-attachment-file",
    ),
    path("demands/<int:pk>/<str:action>/", DemandActionApi.as_view(), name="demand-action"),
]
