"""Shapes of the enterprise API: what comes in (checked for type and form only) and what goes out.

Business rules — the credit code's check character, duplicates, who may change what —
live in services.py; input serializers only turn JSON into the keyword arguments a
service takes, so the API and the pages refuse the same things with the same words.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Enterprise, Industry, SizeClass, YearlyFigures
from .services import PROFILE_FIELDS

MONEY = {"max_digits": 16, "decimal_places": 2, "required": False, "allow_null": True}


class EnterpriseFilterSerializer(serializers.Serializer):
    """Query parameters of the list; an unknown industry, size or status is a 400, not an empty page."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Part of the name or of the credit code."),
    )
    industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True)
    size_class = serializers.ChoiceField(choices=SizeClass.choices, required=False, allow_blank=True)
    tag = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text=_("A tag's exact name.")
    )
    status = serializers.ChoiceField(choices=Enterprise.Status.choices, required=False, allow_blank=True)
    # A missing boolean in a query string would otherwise read as False.
    above_designated_size = serializers.BooleanField(required=False, allow_null=True, default=None)


class YearlyFiguresSerializer(serializers.ModelSerializer):
    """One year's figures in CNY; amounts travel as decimal strings ("1234567.89") so nothing is rounded."""

    output_value = serializers.DecimalField(label=_("output value"), **MONEY)
    revenue = serializers.DecimalField(label=_("operating revenue"), **MONEY)
    tax_paid = serializers.DecimalField(label=_("tax paid"), **MONEY)
    rd_spend = serializers.DecimalField(label=_("R&D spend"), **MONEY)
    rd_share_of_revenue = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("R&D spend as a percentage of revenue."),
    )

    class Meta:
        model = YearlyFigures
        fields = ["year", "output_value", "revenue", "tax_paid", "rd_spend", "rd_share_of_revenue"]


class EnterpriseOutputSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    industry_display = serializers.CharField(source="get_industry_display", read_only=True)
    size_class_display = serializers.CharField(source="get_size_class_display", read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "credit_code",
            "name",
            "legal_representative",
            "industry",
            "industry_display",
            "size_class",
            "size_class_display",
            "above_designated_size",
            "employees",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
            "tags",
            "status",
            "status_display",
            "rejection_reason",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VerificationEventSerializer(serializers.Serializer):
    """One step of the enterprise's verification. Who acted is shown to park staff only."""

    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    action_display = serializers.CharField()
    from_status = serializers.CharField(
        help_text=_("Empty on the first row of an enterprise the park added.")
    )
    to_status = serializers.CharField()
    comment = serializers.CharField(help_text=_("The reason, for a rejection."))
    actor = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, entry) -> str | None:
        if not self.context.get("staff") or entry.actor is None:
            return None
        return entry.actor.full_name or entry.actor.email


class EnterpriseDetailOutputSerializer(EnterpriseOutputSerializer):
    """One enterprise, with its most recent year's figures and its verification history (not in the list)."""

    latest_figures = serializers.SerializerMethodField()
    verification_history = VerificationEventSerializer(many=True, read_only=True)

    class Meta(EnterpriseOutputSerializer.Meta):
        fields = [*EnterpriseOutputSerializer.Meta.fields, "latest_figures", "verification_history"]
        read_only_fields = fields

    @extend_schema_field(YearlyFiguresSerializer(allow_null=True))
    def get_latest_figures(self, enterprise) -> dict | None:
        latest = enterprise.yearly_figures.order_by("-year").first()
        return YearlyFiguresSerializer(latest).data if latest else None


class EnterpriseInputSerializer(serializers.ModelSerializer):
    """Profile fields a park administrator (create, update) or the enterprise itself (update) may send."""

    # Not the model field: people paste codes with spaces or dashes, and the service says
    # precisely what is wrong with a code (length, check character, letters), in one place.
    credit_code = serializers.CharField(label=_("Unified Social Credit Code"), max_length=40)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=50,
        help_text=_(
            "Tag names. A park administrator may name new tags; others choose from the existing ones."
        ),
    )

    class Meta:
        model = Enterprise
        fields = ["credit_code", *PROFILE_FIELDS, "tags"]
        extra_kwargs = {"name": {"required": True}}

    def validate_tags(self, names: list[str]) -> list[str]:
        return list(dict.fromkeys(name.strip() for name in names))


class EnterpriseRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("reason for rejection"),
        allow_blank=True,
        help_text=_("Shown to the enterprise: what to correct."),
    )
