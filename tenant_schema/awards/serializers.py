"""What the awards API reads and writes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Award, Recovery, Report, Tranche


class TrancheSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tranche
        fields = [
            "id",
            "position",
            "amount",
            "condition",
            "milestone",
            "due_on",
            "status",
            "paid_on",
            "reference",
        ]


class ReportSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "kind", "due_on", "status", "text", "submitted_at", "files"]

    def get_files(self, report) -> list[str]:
        return [attachment.original_name for attachment in report.attachments.all()]


class RecoverySerializer(serializers.ModelSerializer):
    outstanding = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Recovery
        fields = [
            "id",
            "reason",
            "explanation",
            "amount_due",
            "repaid_amount",
            "outstanding",
            "deadline",
            "status",
            "opened_at",
            "closed_at",
        ]


class AwardSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="application.programme.title")
    enterprise = serializers.CharField(source="application.enterprise.name")

    class Meta:
        model = Award
        fields = [
            "id",
            "application",
            "programme",
            "enterprise",
            "amount",
            "status",
            "created_at",
            "closed_at",
        ]


class AwardDetailSerializer(AwardSerializer):
    tranches = TrancheSerializer(many=True)
    reports = ReportSerializer(many=True)
    recoveries = RecoverySerializer(many=True)
    paid = serializers.SerializerMethodField()
    next_tranche = serializers.SerializerMethodField()
    next_tranche_held = serializers.SerializerMethodField(
        help_text=_("Why the next tranche cannot be paid now.")
    )
    actions = serializers.SerializerMethodField(help_text=_("The acceptance steps you may take now."))

    class Meta(AwardSerializer.Meta):
        fields = [
            *AwardSerializer.Meta.fields,
            "paid",
            "next_tranche",
            "next_tranche_held",
            "tranches",
            "reports",
            "recoveries",
            "actions",
        ]

    def get_paid(self, award) -> str:
        return str(self.context["summary"]["paid"])

    def get_next_tranche(self, award) -> int | None:
        upcoming = self.context["summary"]["next"]
        return upcoming.position if upcoming else None

    def get_next_tranche_held(self, award) -> str:
        return self.context["summary"]["next_hold"] or ""

    def get_actions(self, award) -> list[str]:
        return self.context["actions"]


class PlanTrancheSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    condition = serializers.ChoiceField(choices=Tranche.Condition.choices)
    milestone = serializers.CharField(required=False, allow_blank=True, max_length=200)
    due_on = serializers.DateField()


class PlanReportSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    due_on = serializers.DateField()


class AwardPlanSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    tranches = PlanTrancheSerializer(many=True)
    reports = PlanReportSerializer(many=True, required=False)


class ActionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    expected_status = serializers.CharField(required=False, allow_blank=True, max_length=20)


class PaySerializer(ActionSerializer):
    paid_on = serializers.DateField(required=False)
    reference = serializers.CharField(max_length=100)


class ReportActionSerializer(ActionSerializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class ReviewersSerializer(serializers.Serializer):
    reviewers = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=20)


class RecoveryOpenSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Recovery.Reason.choices)
    explanation = serializers.CharField(max_length=2000)
    amount_due = serializers.DecimalField(max_digits=16, decimal_places=2)
    deadline = serializers.DateField()


class RecoveryActionSerializer(ActionSerializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)
    paid_on = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ReportFileSerializer(serializers.Serializer):
    file = serializers.FileField()
