"""Hub API for the tenant registry (hub operators only): list, provision, suspend, reactivate;
export (a background job with progress, then a checked download), restore, and deletion after
a grace period (schedule, cancel)."""

import tempfile

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from every_schema.accounts.permissions import IsHubOperator
from saas.attachments import stored_file_response
from saas.workflow import TransitionRefused

from .deletion import tenant_deletion_cancel, tenant_deletion_schedule
from .exports import export_storage, tenant_export_request
from .lifecycle import tenant_restore
from .models import Tenant, TenantExport
from .selectors import tenant_export_get, tenant_export_list, tenant_get_live, tenant_list_live
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
        fields = ["slug", "name", "kind", "status", "url", "created_at", "status_changed_at", "delete_after"]

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


class TenantExportSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TenantExport
        fields = [
            "id",
            "state",
            "tables_done",
            "tables_total",
            "rows",
            "files",
            "final",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, job) -> str | None:
        if job.state != "done":
            return None
        return f"/api/v1/hub/tenants/{job.tenant.schema_name}/exports/{job.pk}/archive/"


class TenantExportListApi(APIView):
    """Exports of a tenant: POST starts one in the background (202); poll its `state` and progress."""

    permission_classes = [IsHubOperator]

    @extend_schema(responses=TenantExportSerializer(many=True))
    def get(self, request, slug):
        jobs = tenant_export_list(tenant=tenant_get_live(slug=slug))
        return Response(TenantExportSerializer(jobs, many=True).data)

    @extend_schema(request=None, responses={202: TenantExportSerializer})
    def post(self, request, slug):
        job = tenant_export_request(tenant=tenant_get_live(slug=slug), actor=request.user)
        return Response(TenantExportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class TenantExportDetailApi(APIView):
    permission_classes = [IsHubOperator]

    @extend_schema(responses=TenantExportSerializer)
    def get(self, request, slug, pk):
        job = tenant_export_get(tenant=tenant_get_live(slug=slug), pk=pk)
        return Response(TenantExportSerializer(job).data)


class TenantExportArchiveApi(APIView):
    """The finished archive: a redirect to a short-lived signed URL (S3) or sent by nginx; 409 until done."""

    permission_classes = [IsHubOperator]

    @extend_schema(responses={(200, "application/gzip"): bytes, 302: None})
    def get(self, request, slug, pk):
        job = tenant_export_get(tenant=tenant_get_live(slug=slug), pk=pk)
        if job.state != "done":
            raise TransitionRefused(_("This export is not finished yet."))
        return stored_file_response(
            storage=export_storage(),
            name=job.archive_name,
            content_type="application/gzip",
            filename=f"{slug}-{job.pk}.parkhub.tar.gz",
            inline=False,
        )


class TenantRestoreSerializer(serializers.Serializer):
    archive = serializers.FileField()
    slug = serializers.CharField(max_length=30, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TenantRestoreApi(APIView):
    """Bring an exported tenant back from its archive, under its own slug or `slug` (201)."""

    permission_classes = [IsHubOperator]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": TenantRestoreSerializer}, responses={201: TenantOutputSerializer}
    )
    def post(self, request):
        serializer = TenantRestoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with tempfile.NamedTemporaryFile(prefix="parkhub-restore-", suffix=".tar.gz") as archive:
            for chunk in data["archive"].chunks():
                archive.write(chunk)
            archive.flush()
            restored = tenant_restore(
                path=archive.name, slug=data.get("slug") or None, name=data.get("name") or None
            )
        return Response(TenantOutputSerializer(restored.tenant).data, status=status.HTTP_201_CREATED)


class TenantDeletionScheduleSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    grace_days = serializers.IntegerField(required=False, min_value=0, max_value=3650)
    expected_status = serializers.CharField(max_length=20, required=False)


class TenantDeletionScheduleApi(APIView):
    """Schedule the tenant's deletion: suspended now, deleted after the grace period (`delete_after`)."""

    permission_classes = [IsHubOperator]

    @extend_schema(request=TenantDeletionScheduleSerializer, responses=TenantOutputSerializer)
    def post(self, request, slug):
        serializer = TenantDeletionScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = tenant_deletion_schedule(
            tenant=tenant_get_live(slug=slug), actor=request.user, **serializer.validated_data
        )
        return Response(TenantOutputSerializer(tenant).data)


class TenantDeletionCancelApi(APIView):
    """Call off a scheduled deletion during the grace period; the tenant stays suspended."""

    permission_classes = [IsHubOperator]

    @extend_schema(request=TenantStatusChangeSerializer, responses=TenantOutputSerializer)
    def post(self, request, slug):
        serializer = TenantStatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = tenant_deletion_cancel(
            tenant=tenant_get_live(slug=slug),
            actor=request.user,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(TenantOutputSerializer(tenant).data)
