"""The network voucher API: the same operations as the pages, each list scoped to who asks.

Three groups of routes, one per site kind:
- `issuer_urlpatterns` (the hub and every sub-platform's site): the schemes this site
  issued, their vouchers and applications, the claims filed against them;
- `holder_urlpatterns` (a sub-platform's site): schemes open to it, an enterprise's own
  vouchers and applications, and (park admins) the vouchers its enterprises hold;
- `institution_urlpatterns` (an institution's site, institution_urls.py): vouchers spent
  with it and the claims it files.
Anything of another party answers 404, as if it did not exist.
"""

from django.db import connection
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from public_schema.network.models import ServiceCategory
from public_schema.tenants.models import Tenant
from saas.api.pagination import PageNumberPagination
from saas.attachments import attachment_response

from . import selectors, services
from . import workflow as wf
from .models import ClaimFile, NetworkVoucher, VoucherClaim, VoucherScheme

TAG = "network vouchers"
MONEY = {"max_digits": 14, "decimal_places": 2}


def site_tenant(request) -> Tenant:
    """The tenant whose site answers: the hub's own row on the hub."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "pk", None) is None:
        return Tenant.objects.get(schema_name=connection.schema_name)
    return tenant


class IsIssuerStaffOr404(BasePermission):
    """Staff of this site's tenant as an issuer (hub operator, park admin); anyone else signed in: 404."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if not wf.is_issuer_staff(request.user, site_tenant(request)):
            raise Http404
        return True


class IsInstitutionStaffOr404(BasePermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        tenant = site_tenant(request)
        if tenant.kind != Tenant.Kind.INSTITUTION or not wf.is_institution_staff(request.user, tenant):
            raise Http404
        return True


def enterprise_of(request):
    from tenant_schema.enterprises.selectors import enterprise_of_user

    enterprise = enterprise_of_user(user=request.user)
    if enterprise is None:
        raise Http404
    return enterprise


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


class SchemeSerializer(serializers.ModelSerializer):
    issuer = serializers.CharField(source="issuer.name", read_only=True)
    value = serializers.CharField(source="value_label", read_only=True)
    budget_used = serializers.DecimalField(read_only=True, **MONEY, required=False)
    budget_left = serializers.SerializerMethodField()

    class Meta:
        model = VoucherScheme
        fields = [
            "id",
            "issuer",
            "title",
            "description",
            "kind",
            "value",
            "face_value",
            "percentage",
            "cap_per_voucher",
            "cap_per_enterprise",
            "budget",
            "budget_used",
            "budget_left",
            "categories",
            "valid_from",
            "valid_until",
            "auto_grant",
            "accepts_applications",
        ]

    def get_budget_left(self, scheme) -> str | None:
        used = getattr(scheme, "budget_used", None)
        return None if used is None else str(scheme.budget - used)


class SchemeInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=VoucherScheme.Kind.choices)
    budget = serializers.DecimalField(**MONEY)
    face_value = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )
    cap_per_voucher = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    cap_per_enterprise = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceCategory.choices), required=False, default=list
    )
    area = serializers.SlugRelatedField(
        slug_field="schema_name", queryset=Tenant.objects.live(), many=True, required=False, default=list
    )
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    eligibility_rules = serializers.JSONField(required=False, default=dict)
    auto_grant = serializers.BooleanField(required=False, default=False)
    accepts_applications = serializers.BooleanField(required=False, default=True)


class VoucherSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.title", read_only=True)
    scheme_id = serializers.IntegerField(read_only=True)
    issuer = serializers.CharField(source="scheme.issuer.name", read_only=True)
    holder = serializers.CharField(source="holder.schema_name", read_only=True)
    institution = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    categories = serializers.ListField(source="scheme.categories", read_only=True)

    class Meta:
        model = NetworkVoucher
        fields = [
            "id",
            "code",
            "scheme",
            "scheme_id",
            "issuer",
            "holder",
            "enterprise_name",
            "enterprise_credit_code",
            "amount",
            "status",
            "status_label",
            "status_reason",
            "valid_until",
            "categories",
            "order_reference",
            "institution",
            "discount",
            "settled_amount",
            "settled_on",
            "created_at",
        ]

    def get_institution(self, voucher) -> str | None:
        return voucher.institution.name if voucher.institution_id else None


class ReviewInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[wf.GRANT, wf.REFUSE])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    expected_status = serializers.CharField(required=False, allow_blank=True, default="")


class ClaimFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimFile
        fields = ["id", "kind", "original_name", "content_type", "size", "created_at"]


class ClaimSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.title", read_only=True)
    issuer = serializers.CharField(source="scheme.issuer.name", read_only=True)
    institution = serializers.CharField(source="institution.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    vouchers = serializers.SerializerMethodField()
    files = ClaimFileSerializer(many=True, read_only=True)
    stages = serializers.SerializerMethodField()

    class Meta:
        model = VoucherClaim
        fields = [
            "id",
            "reference",
            "scheme",
            "issuer",
            "institution",
            "amount_claimed",
            "status",
            "status_label",
            "status_reason",
            "settled_amount",
            "settled_on",
            "note",
            "vouchers",
            "files",
            "stages",
            "created_at",
        ]

    def get_vouchers(self, claim) -> list[dict]:
        return [
            {
                "code": v.code,
                "enterprise_name": v.enterprise_name,
                "order_reference": v.order_reference,
                "discount": str(v.discount),
            }
            for v in claim.vouchers.all()
        ]

    def get_stages(self, claim) -> list[dict]:
        return [
            {"status": h.to_status, "at": h.created_at.isoformat(), "comment": h.comment, "by": h.actor_label}
            for h in claim.history.all()
        ]


class ClaimMoveInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[wf.REVIEW, wf.APPROVE, wf.REFUSE])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    settled_amount = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    settled_on = serializers.DateField(required=False, allow_null=True, default=None)
    expected_status = serializers.CharField(required=False, allow_blank=True, default="")


class ClaimInputSerializer(serializers.Serializer):
    vouchers = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    contract = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    invoice = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    delivery = serializers.ListField(child=serializers.FileField(), required=False, default=list)


# Only the site's administrators issue: to anyone else the issuer's routes do not exist.
NOT_AN_ISSUER = OpenApiResponse(
    description="Not an issuer's administrator on this site (the same answer as no route)."
)


def _page(view, request, queryset, serializer_class):
    """One page of a list; the view names PageNumberPagination so the schema documents the page."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


# ---------------------------------------------------------------------------------------------
# Issuer: the hub, or a sub-platform on its own site
# ---------------------------------------------------------------------------------------------


class IssuedSchemeListApi(APIView):
    permission_classes = [IsIssuerStaffOr404]
    pagination_class = PageNumberPagination

    @extend_schema(tags=[TAG], responses=SchemeSerializer(many=True), summary="Schemes this site issued")
    def get(self, request):
        return _page(
            self, request, selectors.schemes_for_issuer(issuer=site_tenant(request)), SchemeSerializer
        )

    @extend_schema(
        tags=[TAG],
        request=SchemeInputSerializer,
        responses={201: SchemeSerializer, 404: NOT_AN_ISSUER},
        summary="Issue a scheme",
    )
    def post(self, request):
        data = SchemeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scheme = services.scheme_create(
            issuer=site_tenant(request), actor=request.user, **data.validated_data
        )
        scheme = selectors.scheme_get_for_issuer(issuer=site_tenant(request), pk=scheme.pk)
        return Response(SchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)


class IssuedSchemeDetailApi(APIView):
    permission_classes = [IsIssuerStaffOr404]

    @extend_schema(tags=[TAG], responses=SchemeSerializer)
    def get(self, request, pk):
        return Response(
            SchemeSerializer(selectors.scheme_get_for_issuer(issuer=site_tenant(request), pk=pk)).data
        )


class IssuedVoucherListApi(APIView):
    """Vouchers of this site's schemes; `?status=applied` for the applications to review."""

    permission_classes = [IsIssuerStaffOr404]
    pagination_class = PageNumberPagination

    @extend_schema(tags=[TAG], responses=VoucherSerializer(many=True))
    def get(self, request):
        status_filter = request.query_params.get("status") or None
        if status_filter and status_filter not in NetworkVoucher.Status.values:
            status_filter = None
        vouchers = selectors.vouchers_of_issuer(issuer=site_tenant(request), status=status_filter)
        return _page(self, request, vouchers, VoucherSerializer)


class IssuedVoucherReviewApi(APIView):
    permission_classes = [IsIssuerStaffOr404]

    @extend_schema(
        tags=[TAG],
        request=ReviewInputSerializer,
        responses=VoucherSerializer,
        summary="Grant or refuse an application",
    )
    def post(self, request, pk):
        voucher = selectors.voucher_get_for_issuer(issuer=site_tenant(request), pk=pk)
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        voucher = services.voucher_review(
            voucher_id=voucher.pk,
            action=data.validated_data["action"],
            actor=request.user,
            comment=data.validated_data["comment"],
            expected_status=data.validated_data["expected_status"] or None,
        )
        return Response(
            VoucherSerializer(
                selectors.voucher_get_for_issuer(issuer=site_tenant(request), pk=voucher.pk)
            ).data
        )


class IssuerClaimListApi(APIView):
    permission_classes = [IsIssuerStaffOr404]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=[TAG], responses=ClaimSerializer(many=True), summary="Claims filed against this site's schemes"
    )
    def get(self, request):
        status_filter = request.query_params.get("status") or None
        if status_filter not in VoucherClaim.Status.values:
            status_filter = None
        claims = selectors.claims_for_issuer(
            issuer=site_tenant(request), status=status_filter
        ).prefetch_related("vouchers", "files", "history")
        return _page(self, request, claims, ClaimSerializer)


class IssuerClaimDetailApi(APIView):
    permission_classes = [IsIssuerStaffOr404]

    @extend_schema(tags=[TAG], responses=ClaimSerializer)
    def get(self, request, pk):
        return Response(
            ClaimSerializer(selectors.claim_get_for_issuer(issuer=site_tenant(request), pk=pk)).data
        )


class IssuerClaimMoveApi(APIView):
    permission_classes = [IsIssuerStaffOr404]

    @extend_schema(
        tags=[TAG],
        request=ClaimMoveInputSerializer,
        responses=ClaimSerializer,
        summary="Review, approve or refuse a claim",
    )
    def post(self, request, pk):
        claim = selectors.claim_get_for_issuer(issuer=site_tenant(request), pk=pk)
        data = ClaimMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_move(
            claim_id=claim.pk,
            action=data.validated_data["action"],
            actor=request.user,
            comment=data.validated_data["comment"],
            settled_amount=data.validated_data["settled_amount"],
            settled_on=data.validated_data["settled_on"],
            expected_status=data.validated_data["expected_status"] or None,
        )
        return Response(
            ClaimSerializer(selectors.claim_get_for_issuer(issuer=site_tenant(request), pk=pk)).data
        )


class IssuerClaimFileApi(APIView):
    permission_classes = [IsIssuerStaffOr404]

    @extend_schema(tags=[TAG], responses={(200, "application/octet-stream"): bytes}, summary="A claim's file")
    def get(self, request, pk, file_pk):
        claim = selectors.claim_get_for_issuer(issuer=site_tenant(request), pk=pk)
        return attachment_response(attachment=selectors.claim_file_get(claim=claim, pk=file_pk))


issuer_urlpatterns = [
    path("voucher-schemes/issued/", IssuedSchemeListApi.as_view(), name="voucher-scheme-issued-list"),
    path(
        "voucher-schemes/issued/<int:pk>/",
        IssuedSchemeDetailApi.as_view(),
        name="voucher-scheme-issued-detail",
    ),
    path("vouchers/issued/", IssuedVoucherListApi.as_view(), name="voucher-issued-list"),
    path("vouchers/issued/<int:pk>/review/", IssuedVoucherReviewApi.as_view(), name="voucher-issued-review"),
    path("voucher-claims/to-review/", IssuerClaimListApi.as_view(), name="voucher-claim-review-list"),
    path(
        "voucher-claims/to-review/<int:pk>/",
        IssuerClaimDetailApi.as_view(),
        name="voucher-claim-review-detail",
    ),
    path(
        "voucher-claims/to-review/<int:pk>/move/",
        IssuerClaimMoveApi.as_view(),
        name="voucher-claim-review-move",
    ),
    path(
        "voucher-claims/to-review/<int:pk>/files/<int:file_pk>/",
        IssuerClaimFileApi.as_view(),
        name="voucher-claim-review-file",
    ),
]


# ---------------------------------------------------------------------------------------------
# Holder: a sub-platform's enterprises, and its staff over them
# ---------------------------------------------------------------------------------------------


class OpenSchemeListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=[TAG],
        responses=SchemeSerializer(many=True),
        summary="Schemes open to this sub-platform's enterprises",
    )
    def get(self, request):
        return _page(self, request, selectors.schemes_open_to(holder=site_tenant(request)), SchemeSerializer)


class SchemeApplyApi(APIView):
    @extend_schema(
        tags=[TAG], request=None, responses={201: VoucherSerializer}, summary="Apply for a voucher"
    )
    def post(self, request, pk):
        enterprise = enterprise_of(request)
        scheme = selectors.scheme_get_open_to(holder=site_tenant(request), pk=pk)
        voucher = services.voucher_apply(
            scheme=scheme, holder=site_tenant(request), enterprise=enterprise, actor=request.user
        )
        return Response(VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)


class MyVoucherListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(tags=[TAG], responses=VoucherSerializer(many=True), summary="My enterprise's vouchers")
    def get(self, request):
        enterprise = enterprise_of(request)
        vouchers = selectors.vouchers_for_enterprise(holder=site_tenant(request), enterprise_id=enterprise.pk)
        return _page(self, request, vouchers, VoucherSerializer)


class MyVoucherDetailApi(APIView):
    @extend_schema(tags=[TAG], responses=VoucherSerializer)
    def get(self, request, pk):
        enterprise = enterprise_of(request)
        voucher = selectors.voucher_get_for_enterprise(
            holder=site_tenant(request), enterprise_id=enterprise.pk, pk=pk
        )
        return Response(VoucherSerializer(voucher).data)


class HeldVoucherListApi(APIView):
    """The vouchers this sub-platform's enterprises hold, whoever issued them (park staff)."""

    permission_classes = [IsIssuerStaffOr404]
    pagination_class = PageNumberPagination

    @extend_schema(tags=[TAG], responses=VoucherSerializer(many=True))
    def get(self, request):
        return _page(
            self, request, selectors.vouchers_held_in(holder=site_tenant(request)), VoucherSerializer
        )


holder_urlpatterns = [
    path("voucher-schemes/", OpenSchemeListApi.as_view(), name="voucher-scheme-open-list"),
    path("voucher-schemes/<int:pk>/apply/", SchemeApplyApi.as_view(), name="voucher-scheme-apply"),
    path("vouchers/mine/", MyVoucherListApi.as_view(), name="voucher-mine-list"),
    path("vouchers/mine/<int:pk>/", MyVoucherDetailApi.as_view(), name="voucher-mine-detail"),
    path("vouchers/held/", HeldVoucherListApi.as_view(), name="voucher-held-list"),
]


# ---------------------------------------------------------------------------------------------
# Institution: vouchers spent with it, and its claims
# ---------------------------------------------------------------------------------------------


class SpentVoucherListApi(APIView):
    permission_classes = [IsInstitutionStaffOr404]
    pagination_class = PageNumberPagination

    @extend_schema(
        tags=[TAG], responses=VoucherSerializer(many=True), summary="Vouchers spent with this institution"
    )
    def get(self, request):
        status_filter = request.query_params.get("status") or None
        if status_filter not in NetworkVoucher.Status.values:
            status_filter = None
        vouchers = selectors.vouchers_spent_at(institution=site_tenant(request), status=status_filter)
        return _page(self, request, vouchers, VoucherSerializer)


class InstitutionClaimListApi(APIView):
    permission_classes = [IsInstitutionStaffOr404]
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = PageNumberPagination

    @extend_schema(tags=[TAG], responses=ClaimSerializer(many=True), summary="Claims this institution filed")
    def get(self, request):
        claims = selectors.claims_of_institution(institution=site_tenant(request)).prefetch_related(
            "vouchers", "files", "history"
        )
        return _page(self, request, claims, ClaimSerializer)

    @extend_schema(
        tags=[TAG],
        request={"multipart/form-data": ClaimInputSerializer},
        responses={201: ClaimSerializer},
        summary="File a claim (contract, invoice, delivery proof)",
    )
    def post(self, request):
        data = ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        claim = services.claim_file(
            institution=site_tenant(request),
            actor=request.user,
            voucher_ids=values["vouchers"],
            files={kind: values[kind] for kind in ("contract", "invoice", "delivery")},
            note=values["note"],
        )
        claim = selectors.claim_get_for_institution(institution=site_tenant(request), pk=claim.pk)
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class InstitutionClaimDetailApi(APIView):
    permission_classes = [IsInstitutionStaffOr404]

    @extend_schema(tags=[TAG], responses=ClaimSerializer)
    def get(self, request, pk):
        return Response(
            ClaimSerializer(selectors.claim_get_for_institution(institution=site_tenant(request), pk=pk)).data
        )


class InstitutionClaimFileApi(APIView):
    permission_classes = [IsInstitutionStaffOr404]

    @extend_schema(tags=[TAG], responses={(200, "application/octet-stream"): bytes}, summary="A claim's file")
    def get(self, request, pk, file_pk):
        claim = selectors.claim_get_for_institution(institution=site_tenant(request), pk=pk)
        return attachment_response(attachment=selectors.claim_file_get(claim=claim, pk=file_pk))


institution_urlpatterns = [
    path("vouchers/spent/", SpentVoucherListApi.as_view(), name="voucher-spent-list"),
    path("voucher-claims/", InstitutionClaimListApi.as_view(), name="voucher-claim-list"),
    path("voucher-claims/<int:pk>/", InstitutionClaimDetailApi.as_view(), name="voucher-claim-detail"),
    path(
        "voucher-claims/<int:pk>/files/<int:file_pk>/",
        InstitutionClaimFileApi.as_view(),
        name="voucher-claim-file",
    ),
]
