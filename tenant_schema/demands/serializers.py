"""Shapes of the demand API. Input serializers check type and form only; the rules (who may act,
deadlines, the 30-working-day cap) live in services.py, so pages and API refuse the same things."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from . import workflow as wf
from .models import Category, CategoryPolicy, Demand, DemandAttachment, DemandEvent, Rating
from .selectors import QUEUE_VIEWS


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_short_name() if user else ""


class DemandFilterSerializer(serializers.Serializer):
    view = serializers.ChoiceField(
        choices=list(QUEUE_VIEWS),
        required=False,
        allow_blank=True,
        help_text=_("Staff work lists: mine, new, due_soon, overdue, answered, all (default: all)."),
    )
    status = serializers.ChoiceField(
        choices=[*Demand.Status.values, "closed_unrated"],
        required=False,
        allow_blank=True,
        help_text=_("A status; closed_unrated for demands closed without rating."),
    )
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("Part of the title or enterprise name.")
    )


class DemandFileSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=10,
        help_text=_("PDF, PNG/JPEG or Office files up to 20 MB each (multipart/form-data)."),
    )


class DemandActionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "The reply, the answer, the reason for an extension, or the enterprise's comment on its rating."
        ),
    )
    handler = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("A park staff user's id (accept, assign).")
    )
    department = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        max_length=100,
        help_text=_("Handling department (accept, assign)."),
    )
    rating = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_blank=True, default="", help_text=_("rate only.")
    )
    extension_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text=_("Working days to add (extend only)."),
    )
    expected_status = serializers.ChoiceField(
        choices=Demand.Status.choices,
        required=False,
        help_text=_(
            "The status the action was offered from (the demand's `status` as you last read it). If the demand "
            "has moved on since, the action is a 409 with `code` `stale_action` instead of a second move. Left "
            "out, the action is still taken under the row lock and checked against the workflow."
        ),
    )

    def to_service_kwargs(self) -> dict:
        data = self.validated_data
        return {
            "comment": data["comment"],
            "handler_id": data["handler"],
            "department": data["department"],
            "rating": data["rating"],
            "extension_days": data["extension_days"],
            "expected_status": data.get("expected_status"),
        }


class DemandAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = DemandAttachment
        fields = ["id", "original_name", "content_type", "size", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return f"/api/v1/demands/{attachment.demand_id}/attachments/{attachment.pk}/"


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class DemandOutputSerializer(serializers.ModelSerializer):
    enterprise = serializers.SerializerMethodField()
    handler = PersonSerializer(allow_null=True)
    category_display = serializers.CharField(source="get_category_display")
    status_display = serializers.CharField(
        source="status_label", help_text=_("“Closed without rating” when silence closed it.")
    )
    next_due_at = serializers.DateTimeField(
        allow_null=True, help_text=_("The first reply until given, then the resolution.")
    )
    rag = serializers.CharField(
        help_text=_(
            "red (overdue), amber (due within 2 working days), green, or empty when no deadline runs."
        )
    )

    class Meta:
        model = Demand
        fields = [
            "id",
            "enterprise",
            "category",
            "category_display",
            "title",
            "status",
            "status_display",
            "closed_without_rating",
            "handler",
            "department",
            "created_at",
            "accepted_at",
            "first_reply_due_at",
            "first_replied_at",
            "resolution_due_at",
            "extended_at",
            "answered_at",
            "rating_due_at",
            "rating",
            "reopen_count",
            "closed_at",
            "next_due_at",
            "rag",
        ]
        read_only_fields = fields

    def get_enterprise(self, demand) -> dict:
        return {"id": demand.enterprise_id, "name": demand.enterprise.name}


class DemandEventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(allow_null=True)
    handler = PersonSerializer(allow_null=True)
    action_display = serializers.SerializerMethodField()

    class Meta:
        model = DemandEvent
        fields = [
            "id",
            "action",
            "action_display",
            "from_status",
            "to_status",
            "actor",
            "comment",
            "due_at",
            "handler",
            "department",
            "rating",
            "created_at",
        ]
        read_only_fields = fields

    def get_action_display(self, event) -> str:
        return str(wf.ACTION_LABELS.get(event.action, event.action))


class MilestoneSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    state = serializers.CharField(help_text=_("done, current or waiting"))
    due_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    working_days_left = serializers.IntegerField(allow_null=True, help_text=_("Negative when overdue."))
    note = serializers.CharField()


class DemandDetailOutputSerializer(DemandOutputSerializer):
    attachments = DemandAttachmentSerializer(many=True)
    description = serializers.CharField()
    answer = serializers.CharField()
    rating_comment = serializers.CharField()
    extension_reason = serializers.CharField()
    allowed_actions = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(DemandOutputSerializer.Meta):
        fields = [
            *DemandOutputSerializer.Meta.fields,
            "description",
            "answer",
            "rating_comment",
            "extension_reason",
            "attachments",
            "allowed_actions",
            "milestones",
            "events",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, demand) -> list[str]:
        return self.context.get("allowed_actions", [])

    def get_milestones(self, demand) -> MilestoneSerializer(many=True):
        timeline = self.context["timeline"]
        return MilestoneSerializer(timeline.milestones, many=True).data

    def get_events(self, demand) -> DemandEventSerializer(many=True):
        return DemandEventSerializer(self.context["timeline"].events, many=True).data


class CategoryPolicySerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices)  # an upsert by category, not a unique create
    category_display = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = CategoryPolicy
        fields = ["category", "category_display", "first_reply_days", "resolution_days", "department"]


class FiguresSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The category, the month (YYYY-MM), or empty for the total."))
    label = serializers.CharField()
    received = serializers.IntegerField()
    resolved = serializers.IntegerField()
    closed_without_rating = serializers.IntegerField()
    overdue = serializers.IntegerField()
    reply_due = serializers.IntegerField()
    replied_on_time = serializers.IntegerField()
    resolution_due = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    resolution_rate = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text=_("Percent.")
    )
    on_time_reply_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    on_time_resolution_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class FiguresReportSerializer(serializers.Serializer):
    by = serializers.CharField()
    total = FiguresSerializer()
    rows = FiguresSerializer(many=True)


class FiguresFilterSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=["category", "month"], required=False, default="category")
    year = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=2000, max_value=2100
    )
