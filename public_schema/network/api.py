"""The institution site's API: its pool entry (read, update, submit) and its products.

Every object is the site's own institution's (`request.tenant`): another institution's
product id is the same 404 as one that does not exist. A move the workflow refuses is a
409 (`transition_refused`, `stale_action` when the entry moved on since it was read); a
field that does not validate a 400 on that field, in the user's language.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.schema import ErrorSerializer

from . import workflow as wf
from .access import IsInstitutionAdmin, IsInstitutionStaff
from .selectors import institution_product_get, institution_products, institution_profile_of
from .serializers import (
    ProductSerializer,
    ProductWriteSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
    TransitionSerializer,
)
from .services import (
    admission_transition,
    institution_profile_update,
    network_product_create,
    network_product_unpublish,
    network_product_update,
)

TAG = "institution"
NOT_FOUND = OpenApiResponse(ErrorSerializer, description=_("No such product of this institution."))
BAD_REQUEST = OpenApiResponse(ErrorSerializer, description=_("A field did not validate (see `fields`)."))
REFUSED = OpenApiResponse(
    ErrorSerializer, description=_("The workflow refuses the move now (see `message`).")
)


def _profile_response(request, profile):
    profile = institution_profile_of(tenant=profile.tenant)
    actions = wf.ADMISSION_WORKFLOW.actions_for(request.user, profile)
    return Response(ProfileSerializer(profile, context={"actions": actions, "request": request}).data)


class ProfileApi(APIView):
    permission_classes = [IsAuthenticated, IsInstitutionStaff]

    @extend_schema(
        tags=[TAG],
        summary=_("The institution's pool entry, its history and the actions offered"),
        responses=ProfileSerializer,
    )
    def get(self, request):
        return _profile_response(request, institution_profile_of(tenant=request.tenant))

    @extend_schema(
        tags=[TAG],
        summary=_(
            "Update the institution's profile (administrator; all of it while a draft or refused, contacts later)"
        ),
        request=ProfileUpdateSerializer,
        responses={200: ProfileSerializer, 400: BAD_REQUEST},
    )
    def patch(self, request):
        if not IsInstitutionAdmin().has_permission(request, self):
            self.permission_denied(
                request, message=_("Only the institution's administrator edits its profile.")
            )
        serializer = ProfileUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        serves = data.pop("serves", None)
        profile = institution_profile_update(
            profile=institution_profile_of(tenant=request.tenant), actor=request.user, serves=serves, **data
        )
        return _profile_response(request, profile)


class ProfileSubmitApi(APIView):
    permission_classes = [IsAuthenticated, IsInstitutionStaff]

    @extend_schema(
        tags=[TAG],
        summary=_("Submit the profile to the network's pool (administrator)"),
        request=TransitionSerializer,
        responses={200: ProfileSerializer, 400: BAD_REQUEST, 409: REFUSED},
    )
    def post(self, request):
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        expected = serializer.validated_data.get("expected_status")
        profile = admission_transition(
            profile_id=institution_profile_of(tenant=request.tenant).pk,
            action=wf.SUBMIT,
            actor=request.user,
            expected={"status": expected} if expected else None,
        )
        return _profile_response(request, profile)


class ProductListApi(APIView):
    permission_classes = [IsAuthenticated, IsInstitutionStaff]

    @extend_schema(
        tags=[TAG],
        summary=_("The institution's products, published or not"),
        responses=ProductSerializer(many=True),
    )
    def get(self, request):
        return Response(ProductSerializer(institution_products(institution=request.tenant), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Add a product (published only once the institution is admitted)"),
        request=ProductWriteSerializer,
        responses={201: ProductSerializer, 400: BAD_REQUEST},
    )
    def post(self, request):
        serializer = ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        product = network_product_create(
            institution=request.tenant, actor=request.user, serves=data.pop("serves", []), **data
        )
        product = institution_product_get(institution=request.tenant, pk=product.pk)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsInstitutionStaff]

    @extend_schema(
        tags=[TAG],
        summary=_("One of the institution's products"),
        responses={200: ProductSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(ProductSerializer(institution_product_get(institution=request.tenant, pk=pk)).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Change a product (any of its fields)"),
        request=ProductWriteSerializer(partial=True),
        responses={200: ProductSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int):
        product = institution_product_get(institution=request.tenant, pk=pk)
        serializer = ProductWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        network_product_update(product=product, actor=request.user, serves=data.pop("serves", None), **data)
        return Response(ProductSerializer(institution_product_get(institution=request.tenant, pk=pk)).data)


class ProductUnpublishApi(APIView):
    permission_classes = [IsAuthenticated, IsInstitutionStaff]

    @extend_schema(
        tags=[TAG],
        summary=_("Take a product off the catalogue"),
        request=None,
        responses={200: ProductSerializer, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        product = institution_product_get(institution=request.tenant, pk=pk)
        network_product_unpublish(product=product, actor=request.user)
        return Response(ProductSerializer(institution_product_get(institution=request.tenant, pk=pk)).data)


urlpatterns = [
    path("institution/profile/", ProfileApi.as_view(), name="institution-profile"),
    path("institution/profile/submit/", ProfileSubmitApi.as_view(), name="institution-profile-submit"),
    path("institution/products/", ProductListApi.as_view(), name="institution-product-list"),
    path("institution/products/<int:pk>/", ProductDetailApi.as_view(), name="institution-product-detail"),
    path(
        "institution/products/<int:pk>/unpublish/",
        ProductUnpublishApi.as_view(),
        name="institution-product-unpublish",
    ),
]
