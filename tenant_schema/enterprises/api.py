"""Enterprise API: the park's register of enterprises, one enterprise's profile and figures, verification.

Every enterprise is fetched through `enterprise_get_for_user`, so an id the user may not
see is the same 404 as an id that does not exist; only then is the action checked, so
an enterprise user who can see its own enterprise but may not verify it gets a 403.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from saas.api.filters import DjangoFilterBackend, SyncFilterSet, collection_filter

from .models import Enterprise, Tag
from .permissions import IsParkAdministrator
from .selectors import (
    enterprise_get_for_user,
    enterprise_list_for_user,
    enterprise_of_user,
    user_is_park_admin,
    user_is_park_staff,
    user_may_read_register,
)
from .serializers import (
    EnterpriseDetailOutputSerializer,
    EnterpriseFilterSerializer,
    EnterpriseInputSerializer,
    EnterpriseOutputSerializer,
    EnterpriseRejectSerializer,
    YearlyFiguresSerializer,
)
from .services import (
    enterprise_create,
    enterprise_reject,
    enterprise_update,
    enterprise_verify,
    figures_upsert,
    tag_get_or_create,
)

TAG = "enterprises"
NOT_FOUND = OpenApiResponse(description=_("No such enterprise, or not one you may see."))


def _shown_to(request) -> dict:
    """Serializer context: the verification history names who acted only to park staff."""
    return {"staff": user_is_park_staff(request.user)}


class MayChangeEnterprise(BasePermission):
    """Whoever may see an enterprise may read it; its profile and figures are changed by the
    park's administrators and by the enterprise's own people. Reviewers only read."""

    message = _("You may read this enterprise but not change it.")

    def has_object_permission(self, request, view, enterprise):
        if request.method in SAFE_METHODS or user_is_park_admin(request.user):
            return True
        own = enterprise_of_user(user=request.user)
        return own is not None and own.pk == enterprise.pk


class MayDecideEnterprise(BasePermission):
    """Verification is the park's call: an enterprise sees itself but cannot verify itself."""

    message = _("Only a park administrator can verify or reject an enterprise.")

    def has_object_permission(self, request, view, enterprise):
        return user_is_park_admin(request.user)


def _tags_named(names: list[str], *, actor) -> list[Tag]:
    """Park administrators may coin new tags; everyone else chooses among those that exist."""
    if user_is_park_admin(actor):
        return [tag_get_or_create(name=name) for name in names]
    # A read of the tenant's tag vocabulary (tags are not scoped to an enterprise).
    known = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValidationError(
            {
                "tags": gettext("No such tag: %(names)s. Ask the park to add it.")
                % {"names": "、".join(unknown)}
            }
        )
    return [known[name] for name in names]


def _profile_changes(validated_data: dict, *, actor) -> dict:
    changes = dict(validated_data)
    if "tags" in changes:
        changes["tags"] = _tags_named(changes["tags"], actor=actor)
    return changes


def _updated(enterprise: Enterprise, request) -> Enterprise:
    serializer = EnterpriseInputSerializer(data=request.data, partial=True)
    serializer.is_valid(raise_exception=True)
    # New tags and the profile change succeed or fail together.
    with transaction.atomic():
        changes = _profile_changes(serializer.validated_data, actor=request.user)
        return enterprise_update(enterprise=enterprise, actor=request.user, **changes)


class EnterpriseSyncFilter(SyncFilterSet):
    class Meta:
        model = Enterprise
        fields: list[str] = []


class EnterpriseListCreateApi(APIView):
    queryset = Enterprise.objects.none()  # the model, for the schema's filter parameters
    filter_backends = [DjangoFilterBackend]
    filterset_class = EnterpriseSyncFilter
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), IsParkAdministrator()]
        return [IsAuthenticated()]

    @extend_schema(
        tags=[TAG],
        summary=_("List enterprises"),
        description=_(
            "Park administrators see every enterprise of the park; an enterprise user sees only its own; "
            "a reviewer is refused (403): it reads the enterprises of its work one by one."
        ),
        parameters=[EnterpriseFilterSerializer],
        responses=EnterpriseOutputSerializer(many=True),
    )
    def get(self, request):
        if user_is_park_staff(request.user) and not user_may_read_register(request.user):
            raise PermissionDenied(_("Only a park administrator can read the register of enterprises."))
        filters = EnterpriseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        enterprises = enterprise_list_for_user(user=request.user, **filters.validated_data)
        enterprises = collection_filter(view=self, queryset=enterprises)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(enterprises, request, view=self)
        return paginator.get_paginated_response(EnterpriseOutputSerializer(page, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Add an enterprise"),
        description=_(
            "Park administrators only. The enterprise is verified at once, since the park vouches for it."
        ),
        request=EnterpriseInputSerializer,
        responses={201: EnterpriseDetailOutputSerializer},
    )
    def post(self, request):
        serializer = EnterpriseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            arguments = _profile_changes(serializer.validated_data, actor=request.user)
            enterprise = enterprise_create(actor=request.user, **arguments)
        return Response(
            EnterpriseDetailOutputSerializer(enterprise, context=_shown_to(request)).data,
            status=status.HTTP_201_CREATED,
        )


class _OneEnterpriseApi(APIView):
    """Fetch through the scoped selector (404), then check what the user may do with it (403)."""

    permission_classes = [IsAuthenticated, MayChangeEnterprise]

    def get_enterprise(self, pk: int) -> Enterprise:
        enterprise = enterprise_get_for_user(user=self.request.user, pk=pk)
        self.check_object_permissions(self.request, enterprise)
        return enterprise


class EnterpriseDetailApi(_OneEnterpriseApi):
    @extend_schema(
        tags=[TAG],
        summary=_("One enterprise"),
        responses={200: EnterpriseDetailOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(
            EnterpriseDetailOutputSerializer(self.get_enterprise(pk), context=_shown_to(request)).data
        )

    @extend_schema(
        tags=[TAG],
        summary=_("Change an enterprise's profile"),
        description=_(
            "Park administrators, or the enterprise's own people. Only the park can change the credit code "
            "or name new tags."
        ),
        request=EnterpriseInputSerializer(partial=True),
        responses={200: EnterpriseDetailOutputSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int):
        enterprise = _updated(self.get_enterprise(pk), request)
        return Response(EnterpriseDetailOutputSerializer(enterprise, context=_shown_to(request)).data)


class EnterpriseVerifyApi(_OneEnterpriseApi):
    permission_classes = [IsAuthenticated, MayDecideEnterprise]

    @extend_schema(
        tags=[TAG],
        summary=_("Verify an enterprise"),
        description=_("Park administrators only; the enterprise is told by email."),
        request=None,
        responses={200: EnterpriseDetailOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        enterprise = enterprise_verify(enterprise=self.get_enterprise(pk), actor=request.user)
        return Response(EnterpriseDetailOutputSerializer(enterprise, context=_shown_to(request)).data)


class EnterpriseRejectApi(_OneEnterpriseApi):
    permission_classes = [IsAuthenticated, MayDecideEnterprise]

    @extend_schema(
        tags=[TAG],
        summary=_("Reject an enterprise's registration"),
        description=_(
            "Park administrators only. The reason is shown to the enterprise so it can correct and resubmit."
        ),
        request=EnterpriseRejectSerializer,
        responses={200: EnterpriseDetailOutputSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        enterprise = self.get_enterprise(pk)
        serializer = EnterpriseRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enterprise = enterprise_reject(enterprise=enterprise, actor=request.user, **serializer.validated_data)
        return Response(EnterpriseDetailOutputSerializer(enterprise, context=_shown_to(request)).data)


class EnterpriseFiguresApi(_OneEnterpriseApi):
    @extend_schema(
        tags=[TAG],
        summary=_("An enterprise's yearly figures"),
        responses={200: YearlyFiguresSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        enterprise = self.get_enterprise(pk)
        return Response(YearlyFiguresSerializer(enterprise.yearly_figures.order_by("-year"), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Record or correct one year's figures"),
        description=_(
            "Replaces that year's figures: an amount left out is cleared. Amounts are decimal strings in CNY."
        ),
        request=YearlyFiguresSerializer,
        responses={200: YearlyFiguresSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        enterprise = self.get_enterprise(pk)
        serializer = YearlyFiguresSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        figures = figures_upsert(enterprise=enterprise, **serializer.validated_data)
        return Response(YearlyFiguresSerializer(figures).data)


class MyEnterpriseApi(APIView):
    """The signed-in enterprise user's own enterprise; a 404 for anyone who belongs to none."""

    def get_enterprise(self) -> Enterprise:
        enterprise = enterprise_of_user(user=self.request.user)
        if enterprise is None:
            raise Http404("No enterprise")
        return enterprise

    @extend_schema(
        tags=[TAG],
        summary=_("My enterprise"),
        responses={200: EnterpriseDetailOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        return Response(
            EnterpriseDetailOutputSerializer(self.get_enterprise(), context=_shown_to(request)).data
        )

    @extend_schema(
        tags=[TAG],
        summary=_("Change my enterprise's profile"),
        request=EnterpriseInputSerializer(partial=True),
        responses={200: EnterpriseDetailOutputSerializer, 404: NOT_FOUND},
    )
    def patch(self, request):
        enterprise = _updated(self.get_enterprise(), request)
        return Response(EnterpriseDetailOutputSerializer(enterprise, context=_shown_to(request)).data)


urlpatterns = [
    path("enterprises/", EnterpriseListCreateApi.as_view(), name="enterprise-list"),
    path("enterprises/<int:pk>/", EnterpriseDetailApi.as_view(), name="enterprise-detail"),
    path("enterprises/<int:pk>/verify/", EnterpriseVerifyApi.as_view(), name="enterprise-verify"),
    path("enterprises/<int:pk>/reject/", EnterpriseRejectApi.as_view(), name="enterprise-reject"),
    path("enterprises/<int:pk>/figures/", EnterpriseFiguresApi.as_view(), name="enterprise-figures"),
    path("me/enterprise/", MyEnterpriseApi.as_view(), name="my-enterprise"),
]
