"""City-wide programme API (hub operators only; anyone else signed in gets a 404)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from public_schema.hub.api import IsHubOperatorOr404
from public_schema.tenants.models import Tenant
from saas.api.fields import MomentField

from .models import CityProgramme
from .selectors import city_programme_get, city_programme_list
from .services import city_programme_publish, city_programme_tenants_add, city_programme_totals

TAG = "city-wide programmes"


class ShareInputSerializer(serializers.Serializer):
    tenant = serializers.SlugRelatedField(slug_field="schema_name", queryset=Tenant.objects.live())
    budget = serializers.DecimalField(max_digits=16, decimal_places=2)


class CityProgrammeInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=20, default="subsidy")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    policy_document = serializers.CharField(required=False, allow_blank=True, default="")
    per_enterprise_cap = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    opens_at = MomentField()
    closes_at = MomentField()
    required_documents = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    eligibility_rules = serializers.JSONField(required=False, default=dict)
    no_application_needed = serializers.BooleanField(required=False, default=False)
    budget = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        required=False,
        help_text="Total, split evenly when `shares` is not given.",
    )
    shares = ShareInputSerializer(
        many=True, required=False, help_text="Tenants and their budgets; leave out for every live tenant."
    )


class CityProgrammeOutputSerializer(serializers.ModelSerializer):
    shares = serializers.SerializerMethodField()

    class Meta:
        model = CityProgramme
        fields = [
            "id",
            "title",
            "category",
            "per_enterprise_cap",
            "opens_at",
            "closes_at",
            "eligibility_rules",
            "no_application_needed",
            "created_at",
            "shares",
        ]

    def get_shares(self, city_programme) -> list[dict]:
        # The delivery is the share's envelope: pending (on its way, perhaps after failed
        # attempts), delivered, or refused by the tenant with the reason in last_error.
        return [
            {
                "tenant": s.tenant.schema_name,
                "budget": str(s.budget),
                "delivered": s.is_delivered,
                "state": s.handoff.state if s.handoff else "pending",
                "attempts": s.handoff.attempts if s.handoff else 0,
                "last_error": s.handoff.last_error if s.handoff else "",
            }
            for s in city_programme.shares.all()
        ]


class TotalsSerializer(serializers.Serializer):
    tenant = serializers.CharField(source="tenant.schema_name")
    applications = serializers.IntegerField()
    awarded = serializers.DecimalField(max_digits=18, decimal_places=2)


class CityProgrammeListApi(APIView):
    permission_classes = [IsHubOperatorOr404]

    @extend_schema(
        tags=[TAG], summary=_("City-wide programmes"), responses=CityProgrammeOutputSerializer(many=True)
    )
    def get(self, request):
        return Response(CityProgrammeOutputSerializer(city_programme_list(), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("Publish a programme to the parks"),
        description=_(
            "Each chosen tenant receives its own open copy (stages, rules, budget share) through one envelope each (delivered by Celery, resent by the sweep), once."
        ),
        request=CityProgrammeInputSerializer,
        responses={201: CityProgrammeOutputSerializer},
    )
    def post(self, request):
        serializer = CityProgrammeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        shares = fields.pop("shares", None)
        budget = fields.pop("budget", None)
        tenants = {share["tenant"]: share["budget"] for share in shares} if shares else None
        city_programme = city_programme_publish(actor=request.user, tenants=tenants, budget=budget, **fields)
        return Response(CityProgrammeOutputSerializer(city_programme).data, status=status.HTTP_201_CREATED)


class CityProgrammeDetailApi(APIView):
    permission_classes = [IsHubOperatorOr404]

    @extend_schema(
        tags=[TAG],
        summary=_("Applications and awards in each tenant"),
        operation_id="hub_city_programme_totals",
        responses={
            200: TotalsSerializer(many=True),
            404: OpenApiResponse(description=_("No such programme.")),
        },
    )
    def get(self, request, pk: int):
        return Response(
            TotalsSerializer(city_programme_totals(city_programme=city_programme_get(pk=pk)), many=True).data
        )

    @extend_schema(
        tags=[TAG],
        summary=_("Add tenants (e.g. one created after publishing)"),
        operation_id="hub_city_programme_tenants_add",
        request=ShareInputSerializer(many=True),
        responses={200: CityProgrammeOutputSerializer},
    )
    def post(self, request, pk: int):
        city_programme = city_programme_get(pk=pk)
        serializer = ShareInputSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        city_programme_tenants_add(
            city_programme=city_programme,
            shares={s["tenant"]: s["budget"] for s in serializer.validated_data},
        )
        return Response(CityProgrammeOutputSerializer(city_programme).data)


urlpatterns = [
    path("hub/city-programmes/", CityProgrammeListApi.as_view(), name="city-programme-list"),
    path("hub/city-programmes/<int:pk>/", CityProgrammeDetailApi.as_view(), name="city-programme-detail"),
]
