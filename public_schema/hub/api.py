"""Hub API: the dashboard's figures as JSON (hub operators only), with the page's filters."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from every_schema.accounts.permissions import IsHubOperator

from .forms import HubFilterForm
from .selectors import hub_stats
from .tables import FIGURE_LABELS


class IsHubOperatorOr404(IsHubOperator):
    """Like the hub pages: signed-in people who are not hub operators get a 404, as if nothing were here."""

    def has_permission(self, request, view):
        if super().has_permission(request, view):
            return True
        if request.user and request.user.is_authenticated:
            raise NotFound
        return False  # not signed in: 401, saying how to authenticate


class FiguresSerializer(serializers.Serializer):
    """Every figure; counts are integers, money in yuan as decimal strings, rates in %, days in working days."""

    enterprises = serializers.IntegerField()
    enterprises_verified = serializers.IntegerField()
    enterprises_above_size = serializers.IntegerField()
    applications = serializers.IntegerField(help_text="Submitted in the date range.")
    approvals = serializers.IntegerField()
    rejections = serializers.IntegerField()
    approval_rate = serializers.FloatField(
        allow_null=True, help_text="Approvals / decisions in the range, %."
    )
    median_days = serializers.FloatField(
        allow_null=True, help_text="Working days from submission to decision."
    )
    p90_days = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="Stages left within their time limit, %."
    )
    overdue_now = serializers.IntegerField()
    funds_budgeted = serializers.DecimalField(max_digits=18, decimal_places=2)
    funds_approved = serializers.DecimalField(max_digits=18, decimal_places=2)
    funds_disbursed = serializers.DecimalField(max_digits=18, decimal_places=2)
    subscriptions_active = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    demands_received = serializers.IntegerField(help_text="Enterprise demands filed in the date range.")
    demands_resolved = serializers.IntegerField(help_text="Of those, closed.")
    demands_resolution_rate = serializers.FloatField(allow_null=True, help_text="Resolved / received, %.")
    demands_on_time_reply_rate = serializers.FloatField(
        allow_null=True,
        help_text="First replies given by their deadline / first replies given or overdue, %.",
    )
    demands_on_time_resolution_rate = serializers.FloatField(
        allow_null=True, help_text="Answers given by their deadline / answers given or overdue, %."
    )
    demands_satisfaction_rate = serializers.FloatField(
        allow_null=True, help_text="Rated satisfied or basically satisfied / rated, %."
    )


class TenantFiguresSerializer(serializers.Serializer):
    slug = serializers.CharField(source="tenant.schema_name")
    name = serializers.CharField(source="tenant.name")
    kind = serializers.CharField(source="tenant.kind")
    status = serializers.CharField(source="tenant.status")
    figures = FiguresSerializer(source="values")


class StatusCountSerializer(serializers.Serializer):
    tenant = serializers.CharField(allow_null=True, help_text="Tenant slug; null for the city total.")
    status = serializers.CharField()
    stage = serializers.CharField(help_text="The stage holding the applications now; empty when none does.")
    count = serializers.IntegerField()


class StageTimelinessSerializer(serializers.Serializer):
    tenant = serializers.CharField(allow_null=True, help_text="Tenant slug; null for the city total.")
    stage = serializers.CharField()
    completed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class HubStatsSerializer(serializers.Serializer):
    tenants = TenantFiguresSerializer(many=True)
    city = FiguresSerializer()
    applications_by_status = StatusCountSerializer(many=True)
    stage_timeliness = StageTimelinessSerializer(many=True)


FILTER_PARAMETERS = [
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="First day of the range (Shanghai), inclusive."
    ),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day of the range, inclusive."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["district", "park", "institution"]),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=["all", "active", "suspended"],
        description="all (default) lists suspended tenants too, with status suspended.",
    ),
]


def _representations(serializer_class) -> list[tuple[str, object]]:
    """(field name, to_representation) of a flat serializer's fields; int and float for
    IntegerField and FloatField, which is all their to_representation does."""
    plain = {serializers.IntegerField: int, serializers.FloatField: float}
    return [
        (name, plain.get(type(field), field.to_representation))
        for name, field in serializer_class().fields.items()
    ]


def stats_payload(stats) -> dict:
    """HubStatsSerializer's output for `stats`, built directly.

    The same fields and the same conversions (each field's own to_representation; None
    stays None), without DRF's per-field machinery, which for 1,000 tenants × 22 figures
    and the per-tenant status and stage rows took longer than reading the figures.
    tests/hub/test_pages.py checks that both give the same JSON.
    """
    figures = _representations(FiguresSerializer)

    def represent(values: dict) -> dict:
        return {
            name: None if (value := values.get(name)) is None else to_representation(value)
            for name, to_representation in figures
        }

    slugs = {row.tenant.pk: row.tenant.schema_name for row in stats.rows}
    return {
        "tenants": [
            {
                "slug": row.tenant.schema_name,
                "name": row.tenant.name,
                "kind": row.tenant.kind,
                "status": row.tenant.status,
                "figures": represent(row.values),
            }
            for row in stats.rows
        ],
        "city": represent(stats.city.values),
        "applications_by_status": [
            {
                "tenant": slugs.get(row["tenant_id"]),
                "status": row["status"],
                "stage": row["stage"],
                "count": int(row["n"]),
            }
            for row in stats.by_status
        ],
        "stage_timeliness": [
            {
                "tenant": slugs.get(row["tenant_id"]),
                "stage": row["stage"],
                "completed": int(row["exits"]),
                "on_time": int(row["on_time"]),
                "on_time_rate": None if row["rate"] is None else float(row["rate"]),
            }
            for row in stats.timeliness
        ],
    }


class HubStatsApi(APIView):
    """City-wide and per-tenant figures, from the hub's rollup tables."""

    permission_classes = [IsHubOperatorOr404]

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses=HubStatsSerializer,
        description=", ".join(str(label) for label in FIGURE_LABELS.values()),
    )
    def get(self, request):
        form = HubFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return Response(stats_payload(hub_stats(filters=form.filters())))
