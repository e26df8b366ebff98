"""The hub's API of the institution pool: the list with counts per status, one entry, the review steps."""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from every_schema.accounts.permissions import IsHubOperator
from saas.api.schema import ErrorSerializer

from . import workflow as wf
from .models import InstitutionProfile
from .selectors import institution_get_for_hub, institution_pool_counts, institution_pool_list
from .serializers import PoolListSerializer, ProfileSerializer, TransitionSerializer
from .services import admission_transition

TAG = "institution pool"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("No such institution in the pool."))
REFUSED = OpenApiResponse(
    ErrorSerializer, description=_("The workflow refuses the move now (see `message`).")
)
BAD_REQUEST = OpenApiResponse(ErrorSerializer, description=_("A reason is needed (see `fields`)."))


def _detail(request, slug):
    profile = institution_get_for_hub(slug=slug)
    actions = wf.ADMISSION_WORKFLOW.actions_for(request.user, profile)
    return Response(ProfileSerializer(profile, context={"actions": actions, "hub": True}).data)


class PoolListApi(APIView):
    permission_classes = [IsHubOperator]

    @extend_schema(
        tags=[TAG],
        summary=_("The institutions of the pool, with how many are in each status"),
        operation_id="hub_institutions_list",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=InstitutionProfile.Status.values, required=False
            )
        ],
        responses=PoolListSerializer,
    )
    def get(self, request):
        status = request.query_params.get("status") or None
        if status and status not in InstitutionProfile.Status.values:
            raise Http404
        body = {"counts": institution_pool_counts(), "results": institution_pool_list(status=status)}
        return Response(PoolListSerializer(body).data)


class PoolDetailApi(APIView):
    permission_classes = [IsHubOperator]

    @extend_schema(
        tags=[TAG],
        summary=_("One institution's pool entry, its history and the actions offered"),
        responses={200: ProfileSerializer, 404: NOT_FOUND},
    )
    def get(self, request, slug: str):
        return _detail(request, slug)


class PoolActApi(APIView):
    permission_classes = [IsHubOperator]

    @extend_schema(
        tags=[TAG],
        summary=_("Take a review step: review, admit, refuse, suspend, reinstate or remove"),
        description=_(
            "`refuse`, `suspend` and `remove` need a reason in `comment`: the institution reads it."
        ),
        parameters=[
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=[a for a in wf.ADMISSION_WORKFLOW.transitions if a != wf.SUBMIT],
            )
        ],
        request=TransitionSerializer,
        responses={200: ProfileSerializer, 400: BAD_REQUEST, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request, slug: str, action: str):
        profile = institution_get_for_hub(slug=slug)
        if action not in wf.ADMISSION_WORKFLOW.transitions:
            raise Http404
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        expected = serializer.validated_data.get("expected_status")
        admission_transition(
            profile_id=profile.pk,
            action=action,
            actor=request.user,
            comment=serializer.validated_data["comment"],
            expected={"status": expected} if expected else None,
        )
        return _detail(request, slug)


urlpatterns = [
    path("hub/institutions/", PoolListApi.as_view(), name="hub-institution-list"),
    path("hub/institutions/<slug:slug>/", PoolDetailApi.as_view(), name="hub-institution-detail"),
    path("hub/institutions/<slug:slug>/<str:action>/", PoolActApi.as_view(), name="hub-institution-act"),
]
