"""Shapes of the guide and form API; the rules are in services.py and schema.py."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import ProgrammeGuide


class GuideSerializer(serializers.ModelSerializer):
    """申兑指南: every part is required before the programme opens."""

    class Meta:
        model = ProgrammeGuide
        fields = [
            "eligible_applicants",
            "conditions",
            "amounts",
            "payment_time_limit",
            "contact_office",
            "contact_phone",
        ]
        extra_kwargs = {name: {"required": True, "allow_blank": False} for name in fields}


class FormFieldSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Stable across versions; the key of the answer."))
    label = serializers.CharField()
    type = serializers.CharField(
        help_text="text | textarea | number | money | date | choice | yesno | table | file"
    )
    help = serializers.CharField(required=False)
    required = serializers.BooleanField(required=False)
    min = serializers.CharField(required=False)
    max = serializers.CharField(required=False)
    pattern = serializers.CharField(required=False)
    choices = serializers.ListField(child=serializers.CharField(), required=False)
    columns = serializers.ListField(child=serializers.DictField(), required=False)
    document = serializers.CharField(
        required=False, help_text=_("A file slot: the required document it takes.")
    )
    show_if = serializers.DictField(required=False, help_text=_('{"field": key, "equals": value}'))
    prefill = serializers.CharField(required=False)


class FormSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    help = serializers.CharField(required=False)
    fields = FormFieldSerializer(many=True)


class FormVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    sections = FormSectionSerializer(many=True, source="schema.sections")


class FiledFormSerializer(serializers.Serializer):
    """An application's answers with the form version they are kept under."""

    version = FormVersionSerializer()
    answers = serializers.DictField(
        help_text=_(
            "Field key → answer: text, choice and dates (YYYY-MM-DD) as strings, numbers and amounts "
            "(CNY) as decimal strings, yes/no as booleans, a table as a list of {column key: value}."
        )
    )
    problems = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("What a submission would be refused for now, per field key."),
    )
    to_fix_fields = serializers.ListField(child=serializers.CharField())
    to_fix_documents = serializers.ListField(child=serializers.CharField())


class FiledFormInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text=_(
            "PUT: all the answers (a missing key is no answer); PATCH: only those sent (null clears one)."
        )
    )
