"""The API's shapes of network demands: a copy, its timeline, a filing and a step."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tenant_schema.demands.models import Category, Rating

from . import workflow as wf
from .models import NetworkDemand, NetworkDemandHistory


class NetworkDemandHistoryOutputSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="action_display")

    class Meta:
        model = NetworkDemandHistory
        fields = [
            "action",
            "action_label",
            "from_status",
            "to_status",
            "unit_name",
            "to_unit_name",
            "comment",
            "due_at",
            "created_at",
        ]


class NetworkDemandDemandOutputSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    held_here = serializers.BooleanField(source="is_held_here")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = NetworkDemand
        fields = [
            "id",
            "reference",
            "unit_name",
            "status",
            "status_label",
            "extension",
            "title",
            "category",
            "channel",
            "enterprise_name",
            "origin_unit_name",
            "dispatcher_unit_name",
            "holder_unit_name",
            "held_here",
            "filed_at",
            "due_at",
            "max_due_at",
            "sign_due_at",
            "signed_at",
            "supervised_due_at",
            "answered_at",
            "answered_by_unit_name",
            "answered_on_time",
            "rating",
            "rating_channel",
            "closed_at",
            "transfer_count",
            "sendback_count",
            "supervision_count",
            "reopen_count",
            "overdue",
            "updated_at",
        ]

    def get_overdue(self, demand) -> bool:
        return demand.is_overdue()


class NetworkDemandDemandDetailSerializer(NetworkDemandDemandOutputSerializer):
    timeline = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    pending = serializers.SerializerMethodField()

    class Meta(NetworkDemandDemandOutputSerializer.Meta):
        fields = [
            *NetworkDemandDemandOutputSerializer.Meta.fields,
            "description",
            "answer",
            "timeline",
            "actions",
            "pending",
        ]

    def get_timeline(self, demand) -> list[dict]:
        return NetworkDemandHistoryOutputSerializer(self.context["timeline"], many=True).data

    def get_actions(self, demand) -> list[str]:
        return [t.action for t in wf.actions_for(self.context["request"].user, demand)]

    def get_pending(self, demand) -> bool:
        return self.context["pending"]


class NetworkDemandDemandFileSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    channel = serializers.ChoiceField(choices=NetworkDemand.Channel.choices, default="online")
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    unit = serializers.IntegerField(
        required=False, help_text=_("The unit recording it (staff, other channels).")
    )
    enterprise_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    enterprise_credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    reference = serializers.UUIDField(required=False, help_text=_("Makes a repeated submit the same demand."))


class NetworkDemandDemandStepSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    to_unit = serializers.IntegerField(required=False)
    rating = serializers.ChoiceField(choices=Rating.choices, required=False)
    deadline = serializers.DateField(required=False)
    extension_days = serializers.IntegerField(required=False, min_value=1, max_value=15)
    expected_status = serializers.CharField(required=False, max_length=20)


class NetworkDemandFiguresSerializer(serializers.Serializer):
    key = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    total = serializers.IntegerField()
    resolved = serializers.IntegerField()
    resolution_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    reopened = serializers.IntegerField()
    average_handling_days = serializers.FloatField(allow_null=True)
