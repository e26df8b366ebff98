"""Programme API: enterprises see the open programmes, park staff all of them; park
administrators create and change programmes (stages included) and open or close them.

A programme is fetched through `_programme_for_user`, so a draft or closed programme an
enterprise may not see is the same 404 as one that does not exist; only then is the
change checked, so an enterprise that can read an open programme but may not edit it
gets a 403.
"""

from django.db import transaction
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from saas.api.filters import DjangoFilterBackend, SyncFilterSet, collection_filter
from saas.api.schema import ErrorSerializer
from tenant_schema.enterprises.selectors import user_is_park_admin, user_is_park_staff
from tenant_schema.programme_forms.services import guide_save

from .models import Programme
from .selectors import programme_get_for_user, programme_list_for_user
from .serializers import (
    ProgrammeDetailOutputSerializer,
    ProgrammeFilterSerializer,
    ProgrammeInputSerializer,
    ProgrammeOutputSerializer,
)
from .services import (
    programme_close,
    programme_create,
    programme_open,
    programme_stages_replace,
    programme_update,
)

TAG = "programmes"
NOT_FOUND = OpenApiResponse(description=_("No such programme, or not one you may see."))


class IsParkAdministratorOrReadOnly(BasePermission):
    message = _("Only a park administrator can create or change programmes.")

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or user_is_park_admin(request.user)


class MayChangeProgramme(BasePermission):
    """Whoever may see a programme may read it; only park administrators change, open or close it."""

    message = _("Only a park administrator can change, open or close a programme.")

    def has_object_permission(self, request, view, programme):
        return request.method in SAFE_METHODS or user_is_park_admin(request.user)


def _detail(programme: Programme, request) -> dict:
    return ProgrammeDetailOutputSerializer(
        programme, context={"staff": user_is_park_staff(request.user)}
    ).data


class ProgrammeSyncFilter(SyncFilterSet):
    class Meta:
        model = Programme
        fields: list[str] = []


class ProgrammeListCreateApi(APIView):
    queryset = Programme.objects.none()  # the model, for the schema's filter parameters
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProgrammeSyncFilter
    permission_classes = [IsAuthenticated, IsParkAdministratorOrReadOnly]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        tags=[TAG],
        summary=_("List programmes"),
        description=_(
            "Enterprises see the programmes open for applications now, closing soonest first. Park staff see "
            "every programme and may filter by status."
        ),
        parameters=[ProgrammeFilterSerializer],
        responses=ProgrammeOutputSerializer(many=True),
    )
    def get(self, request):
        filters = ProgrammeFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        programmes = programme_list_for_user(user=request.user, **filters.validated_data)
        programmes = collection_filter(view=self, queryset=programmes)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(programmes, request, view=self)
        return paginator.get_paginated_response(ProgrammeOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Create a programme"),
        description=_(
            "Park administrators only. The programme starts as a draft; open it to take applications. Without "
            "`stages` it gets the five default stages (受理 → 初审 → 专家评审 → 公示 → 拨付)."
        ),
        request=ProgrammeInputSerializer,
        responses={201: ProgrammeDetailOutputSerializer},
    )
    def post(self, request):
        serializer = ProgrammeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        stages = fields.pop("stages", None)
        programme = programme_create(
            actor=request.user, stages=stages, guide=fields.pop("guide", None), **fields
        )
        return Response(_detail(programme, request), status=status.HTTP_201_CREATED)


class _OneProgrammeApi(APIView):
    """Fetch through the scoped selector (404), then check what the user may do with it (403)."""

    permission_classes = [IsAuthenticated, MayChangeProgramme]

    def get_programme(self, pk: int) -> Programme:
        programme = programme_get_for_user(user=self.request.user, pk=pk)
        self.check_object_permissions(self.request, programme)
        return programme


class ProgrammeDetailApi(_OneProgrammeApi):
    @extend_schema(
        tags=[TAG],
        summary=_("One programme with its stages"),
        responses={200: ProgrammeDetailOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(_detail(self.get_programme(pk), request))

    @extend_schema(
        tags=[TAG],
        summary=_("Change a programme"),
        description=_(
            "Park administrators only. `stages`, when sent, replaces the whole stage list; that is refused "
            "(400 on `stages`) once any application has been submitted."
        ),
        request=ProgrammeInputSerializer(partial=True),
        responses={200: ProgrammeDetailOutputSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int):
        programme = self.get_programme(pk)
        serializer = ProgrammeInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        stages = fields.pop("stages", None)
        guide = fields.pop("guide", None)
        # The fields, the guide and the stages change together or not at all.
        with transaction.atomic():
            if guide is not None:
                guide_save(programme=programme, actor=request.user, **guide)
            if fields:
                programme = programme_update(programme=programme, **fields)
            if stages is not None:
                programme = programme_stages_replace(programme=programme, stages=stages)
        return Response(_detail(programme, request))


class ProgrammeOpenApi(_OneProgrammeApi):
    @extend_schema(
        tags=[TAG],
        summary=_("Open a programme for applications"),
        description=_(
            "Park administrators only. Enterprises can apply between its opening and closing times. "
            "Refused (400 on `guide`) until the programme guide (申兑指南) is written."
        ),
        request=None,
        responses={200: ProgrammeDetailOutputSerializer, 400: ErrorSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        programme = self.get_programme(pk)
        return Response(_detail(programme_open(programme=programme), request))


class ProgrammeCloseApi(_OneProgrammeApi):
    @extend_schema(
        tags=[TAG],
        summary=_("Close a programme"),
        description=_(
            "Park administrators only. No new applications or first submissions; applications already in "
            "review carry on."
        ),
        request=None,
        responses={200: ProgrammeDetailOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        programme = self.get_programme(pk)
        return Response(_detail(programme_close(programme=programme), request))


urlpatterns = [
    path("programmes/", ProgrammeListCreateApi.as_view(), name="programme-list"),
    path("programmes/<int:pk>/", ProgrammeDetailApi.as_view(), name="programme-detail"),
    path("programmes/<int:pk>/open/", ProgrammeOpenApi.as_view(), name="programme-open"),
    path("programmes/<int:pk>/close/", ProgrammeCloseApi.as_view(), name="programme-close"),
]
