"""Shapes of the programme API. Rules (stage order, time limits, budget vs cap, editing
stages after submissions) live in tenant_schema/funding/services.py; these only check type and form."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import MomentField
from tenant_schema.programme_forms.serializers import GuideSerializer

from .models import Programme, Stage

MONEY = {"max_digits": 16, "decimal_places": 2}


class StageSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Stage
        fields = [
            "id",
            "position",
            "name",
            "public_name",
            "kind",
            "kind_display",
            "role",
            "role_display",
            "office",
            "time_limit_days",
        ]
        read_only_fields = fields


class StageInputSerializer(serializers.Serializer):
    """One stage as a park administrator writes it; the list's order is the stages' order."""

    name = serializers.CharField(max_length=50, help_text=_("Name for staff, e.g. 初审."))
    public_name = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text=_("Name shown to enterprises; the staff name if left out."),
    )
    kind = serializers.ChoiceField(choices=Stage.Kind.choices, default=Stage.Kind.REVIEW)
    role = serializers.ChoiceField(choices=Stage.Role.choices, default=Stage.Role.REVIEWER)
    office = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    time_limit_days = serializers.IntegerField(help_text=_("Working days (1 to 60)."), default=5)

    def validate(self, attrs):
        attrs["public_name"] = (attrs.get("public_name") or "").strip() or attrs["name"]
        return attrs


class ProgrammeFilterSerializer(serializers.Serializer):
    """Query parameters; park staff may filter by status, enterprises only ever see open programmes."""

    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("Part of the title.")
    )
    category = serializers.ChoiceField(choices=Programme.Category.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=Programme.Status.choices, required=False, allow_blank=True, help_text=_("Park staff only.")
    )


class ProgrammeOutputSerializer(serializers.ModelSerializer):
    """A programme; amounts are decimal strings in CNY, times ISO 8601 in Asia/Shanghai (+08:00)."""

    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    budget = serializers.DecimalField(read_only=True, **MONEY)
    per_enterprise_cap = serializers.DecimalField(read_only=True, allow_null=True, **MONEY)
    required_documents = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "title",
            "category",
            "category_display",
            "description",
            "policy_document",
            "budget",
            "per_enterprise_cap",
            "opens_at",
            "closes_at",
            "required_documents",
            "status",
            "status_display",
            "created_at",
        ]
        read_only_fields = fields


class ProgrammeDetailOutputSerializer(ProgrammeOutputSerializer):
    """One programme with its ordered stages (and, for park staff, the amount already awarded)."""

    stages = StageSerializer(many=True, read_only=True)
    awarded_total = serializers.SerializerMethodField(
        help_text=_("Approved and disbursed awards so far; park staff only (null for enterprises).")
    )

    guide = serializers.SerializerMethodField(help_text=_("申兑指南; null until written."))

    class Meta(ProgrammeOutputSerializer.Meta):
        fields = [*ProgrammeOutputSerializer.Meta.fields, "stages", "awarded_total", "guide"]
        read_only_fields = fields

    @extend_schema_field(GuideSerializer(allow_null=True))
    def get_guide(self, programme):
        from tenant_schema.programme_forms.selectors import guide_of

        guide = guide_of(programme)
        return None if guide is None else GuideSerializer(guide).data

    @extend_schema_field(serializers.DecimalField(allow_null=True, **MONEY))
    def get_awarded_total(self, programme):
        if not self.context.get("staff"):
            return None
        from .selectors import programme_awarded_total

        return serializers.DecimalField(**MONEY).to_representation(
            programme_awarded_total(programme=programme)
        )


class ProgrammeInputSerializer(serializers.Serializer):
    """What a park administrator sends to create (all of it) or change (any of it) a programme."""

    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Programme.Category.choices, default=Programme.Category.SUBSIDY)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    policy_document = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    budget = serializers.DecimalField(help_text=_("CNY, as a decimal string."), **MONEY)
    per_enterprise_cap = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)
    opens_at = MomentField()
    closes_at = MomentField()
    required_documents = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=50,
        help_text=_("Names of the documents an application must attach before it can be submitted."),
    )
    stages = StageInputSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text=_(
            "Ordered stages. Left out on creation: the five default stages. On change: replaces the whole list, "
            "refused once an application has been submitted."
        ),
    )
    guide = GuideSerializer(
        required=False,
        help_text=_("The programme guide (申兑指南); required before the programme can be opened."),
    )
