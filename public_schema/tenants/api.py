"""Hub API for the tenant registry: list, provision, suspend, reactivate (hub operators only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from every_schema.accounts.permissions import IsHubOperator

from .models import Tenant
from .selectors import tenant_get_live, tenant_list_live
from .services import (
    tenant_administrator_invite,
    tenant_provision,
    tenant_reactivate,
    tenant_site_url,
    tenant_suspend,
)


class TenantOutputSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(source="schema_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["slug", "name", "kind", "status", "url", "created_at", "status_changed_at"]

    def get_url(self, tenant) -> str:
        return tenant_site_url(tenant=tenant)


class TenantCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=30)
    kind = serializers.ChoiceField(
        choices=[choice for choice in Tenant.Kind.choices if choice[0] != Tenant.Kind.HUB]
    )
    admin_email = serializers.EmailField()
    admin_name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class TenantListCreateApi(APIView):
    permission_classes = [IsHubOperator]

    @extend_schema(responses=TenantOutputSerializer(many=True))
    def get(self, request):
        tenants = tenant_list_live(
            kind=request.query_params.get("kind"), status=request.query_params.get("status")
        )
        return Response(TenantOutputSerializer(tenants, many=True).data)

    @extend_schema(request=TenantCreateSerializer, responses={201: TenantOutputSerializer})
    def post(self, request):
        serializer = TenantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        provisioned = tenant_provision(**serializer.validated_data)
        tenant_administrator_invite(provisioned=provisioned)
        return Response(TenantOutputSerializer(provisioned.tenant).data, status=status.HTTP_201_CREATED)


class TenantDetailApi(APIView):
    permission_classes = [IsHubOperator]

    @extend_schema(responses=TenantOutputSerializer)
    def get(self, request, slug):
        return Response(TenantOutputSerializer(tenant_get_live(slug=slug)).data)


class TenantStatusChangeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    # The status the client saw ("active" / "suspended"): a move from another state is a 409.
    expected_status = serializers.CharField(max_length=20, required=False)


class TenantSuspendApi(APIView):
    """Suspend a tenant; `reason` is required (a 400 without it) and kept in the status history."""

    permission_classes = [IsHubOperator]

    @extend_schema(request=TenantStatusChangeSerializer, responses=TenantOutputSerializer)
    def post(self, request, slug):
        serializer = TenantStatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = tenant_suspend(
            tenant=tenant_get_live(slug=slug), actor=request.user, **serializer.validated_data
        )
        return Response(TenantOutputSerializer(tenant).data)


class TenantReactivateApi(APIView):
    permission_classes = [IsHubOperator]

    @extend_schema(request=TenantStatusChangeSerializer, responses=TenantOutputSerializer)
    def post(self, request, slug):
        serializer = TenantStatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = tenant_reactivate(
            tenant=tenant_get_live(slug=slug), actor=request.user, **serializer.validated_data
        )
        return Response(TenantOutputSerializer(tenant).data)
