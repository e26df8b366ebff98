"""Shapes of the application API. Every rule (who may act, what a move needs, budget and
caps, what an attachment may contain) lives in services.py / attachments.py; these
serializers only turn JSON into the keyword arguments a service takes, and back.

Amounts are decimal strings in CNY; times are ISO 8601 in Asia/Shanghai (+08:00).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import DayField
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.funding.models import Programme, Stage

from .models import Application, ApplicationEvent, Attachment

MONEY = {"max_digits": 16, "decimal_places": 2}


class ProgrammeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "title"]
        read_only_fields = fields


class EnterpriseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "name"]
        read_only_fields = fields


class StageRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "position", "name", "public_name", "kind", "office"]
        read_only_fields = fields


class ApplicationFilterSerializer(serializers.Serializer):
    """Query parameters of the list; an unknown status or queue is a 400, not an empty page."""

    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Part of the enterprise name or programme title."),
    )
    status = serializers.ChoiceField(choices=Application.Status.choices, required=False, allow_blank=True)
    programme = serializers.IntegerField(required=False, min_value=1, help_text=_("A programme's id."))
    queue = serializers.ChoiceField(
        choices=[
            ("mine", _("stages my role acts on")),
            ("due_soon", _("due within two days")),
            ("overdue", _("overdue")),
        ],
        required=False,
        allow_blank=True,
        help_text=_(
            "Park staff: the work queue of stages held by your role — all of it (mine), due within two days "
            "(due_soon) or overdue — earliest due first."
        ),
    )


class ApplicationOutputSerializer(serializers.ModelSerializer):
    programme = ProgrammeRefSerializer(read_only=True)
    enterprise = EnterpriseRefSerializer(read_only=True)
    current_stage = StageRefSerializer(read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_amount = serializers.DecimalField(read_only=True, **MONEY)
    approved_amount = serializers.DecimalField(read_only=True, allow_null=True, **MONEY)

    class Meta:
        model = Application
        fields = [
            "id",
            "programme",
            "enterprise",
            "requested_amount",
            "approved_amount",
            "status",
            "status_display",
            "current_stage",
            "stage_entered_at",
            "stage_due_at",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ApplicationActionHintSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    needs_reason = serializers.BooleanField()


class ApplicationDetailOutputSerializer(ApplicationOutputSerializer):
    """One application with its answers and the moves the user may try from its state now."""

    disbursed_amount = serializers.DecimalField(read_only=True, allow_null=True, **MONEY)
    answers = serializers.JSONField(read_only=True)
    actions = serializers.SerializerMethodField(
        help_text=_(
            "Moves the workflow allows from this state to this user; the server still checks each one "
            "(a 409 says why when it refuses)."
        )
    )

    class Meta(ApplicationOutputSerializer.Meta):
        fields = [
            *ApplicationOutputSerializer.Meta.fields,
            "answers",
            "disbursed_amount",
            "disbursed_on",
            "decided_at",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(ApplicationActionHintSerializer(many=True))
    def get_actions(self, application) -> list[dict]:
        # The view passes the workflow's answer for this user (APPLICATION_WORKFLOW.actions_for).
        return [
            {
                "action": transition.action,
                "label": str(transition.label),
                "needs_reason": transition.needs_reason,
            }
            for transition in self.context.get("actions", ())
        ]


class ApplicationCreateSerializer(serializers.Serializer):
    programme = serializers.IntegerField(min_value=1, help_text=_("The id of an open programme."))
    requested_amount = serializers.DecimalField(help_text=_("CNY, as a decimal string."), **MONEY)
    answers = serializers.DictField(
        required=False, default=dict, help_text=_("The programme's questions and your answers.")
    )


class ApplicationUpdateSerializer(serializers.Serializer):
    requested_amount = serializers.DecimalField(required=False, **MONEY)
    answers = serializers.DictField(required=False)


class ApplicationActionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required to return or reject (the enterprise reads it); optional otherwise."),
    )
    amount = serializers.DecimalField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "approve: the award (required). disburse: the amount paid (the approved amount if left out)."
        ),
        **MONEY,
    )
    disbursed_on = DayField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("disburse: the payment date (today if left out)."),
    )
    expected_status = serializers.ChoiceField(
        choices=Application.Status.choices,
        required=False,
        help_text=_(
            "The status the action was offered from (the application's `status` as you last read it). "
            "If the application has moved on since, the action is refused with a 409 (`code`: `stale_action`) "
            "instead of being applied to the new state. Send it, with `expected_stage`, on every action."
        ),
    )
    expected_stage = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_(
            "The id of the current stage the action was offered from (`current_stage.id`; null for none). "
            "Left out, the stage is not checked: two advances sent at once could then pass two stages. "
            "The pages always send it."
        ),
    )
    to_fix_fields = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        max_length=200,
        help_text=_(
            "return: keys of the programme form's fields the enterprise must correct (highlighted for it)."
        ),
    )
    to_fix_documents = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=50,
        help_text=_("return: names of the required documents the enterprise must correct."),
    )


class ApplicationTimelineCommentSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    comment = serializers.CharField()


class ApplicationTimelineStageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="stage.id")
    position = serializers.IntegerField(source="stage.position")
    name = serializers.CharField(source="stage.public_name", help_text=_("The stage's public name."))
    kind = serializers.CharField(source="stage.kind")
    state = serializers.ChoiceField(choices=["done", "current", "waiting", "skipped"])
    current = serializers.SerializerMethodField()
    office = serializers.CharField(help_text=_("The office that holds (or held) this stage."))
    entered_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    working_days_left = serializers.IntegerField(
        allow_null=True,
        help_text=_("Current stage only: working days until it is due; negative when overdue."),
    )
    overdue = serializers.SerializerMethodField()
    comments = ApplicationTimelineCommentSerializer(many=True)

    def get_current(self, row) -> bool:
        return row.state == "current"

    def get_overdue(self, row) -> bool:
        return row.working_days_left is not None and row.working_days_left < 0


class ApplicationEventSerializer(serializers.ModelSerializer):
    """One history row. Who acted is shown to park staff only; the enterprise sees the office."""

    at = serializers.DateTimeField(source="created_at")
    from_stage = serializers.CharField(source="from_stage.public_name", allow_null=True, default=None)
    to_stage = serializers.CharField(source="to_stage.public_name", allow_null=True, default=None)
    amount = serializers.DecimalField(allow_null=True, **MONEY)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationEvent
        fields = [
            "id",
            "at",
            "action",
            "from_status",
            "to_status",
            "from_stage",
            "to_stage",
            "comment",
            "due_at",
            "amount",
            "is_public",
            "actor",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        if not self.context.get("staff") or event.actor is None:
            return None
        return event.actor.full_name or event.actor.email


class ApplicationTimelineSerializer(serializers.Serializer):
    application = ApplicationOutputSerializer()
    reason = serializers.CharField(help_text=_("Why it was returned or rejected, when it is."))
    holder = serializers.SerializerMethodField(help_text=_("The office holding the application now, if any."))
    stages = ApplicationTimelineStageSerializer(many=True)
    events = ApplicationEventSerializer(
        many=True, help_text=_("The history in order; internal steps are listed for park staff only.")
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_holder(self, timeline) -> str | None:
        current = next((row for row in timeline.stages if row.state == "current"), None)
        if current is None or timeline.application.status == Application.Status.RETURNED:
            return None
        return current.office


class ApplicationAttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "document", "original_name", "content_type", "size", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return f"/api/v1/applications/{attachment.application_id}/attachments/{attachment.pk}/"


class ApplicationAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "PDF, PNG/JPEG, or a Word/Excel/PowerPoint document, at most 20 MB; checked by its content."
        )
    )
    document = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text=_("Which required document this is, as named by the programme."),
    )


class PublicNoticeSerializer(serializers.ModelSerializer):
    """An award on public notice: nothing but what the notice itself publishes."""

    application_id = serializers.IntegerField(source="pk")
    programme = serializers.CharField(source="programme.title")
    enterprise = serializers.CharField(source="enterprise.name")
    approved_amount = serializers.DecimalField(**MONEY)
    notice_from = serializers.DateTimeField(source="stage_entered_at")
    notice_until = serializers.DateTimeField(source="stage_due_at", allow_null=True)

    class Meta:
        model = Application
        fields = [
            "application_id",
            "programme",
            "enterprise",
            "approved_amount",
            "notice_from",
            "notice_until",
        ]
        read_only_fields = fields


class PublicNoticeObjectionSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, allow_blank=True)
    contact = serializers.CharField(
        max_length=100, allow_blank=True, help_text=_("Phone or email, for the park's reply.")
    )
    text = serializers.CharField(allow_blank=True)


class PublicNoticeObjectionReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
