"""Forms of the park's programme pages. They only parse input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Programme, Stage

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class ProgrammeForm(forms.ModelForm):
    """Title, money, dates and required documents (one per line) of a programme.

    Never bound to the saved programme (`instance`): its cleaned data goes to
    `programme_create` / `programme_update`, which check the rules and save.
    """

    required_documents = forms.CharField(
        label=_("required documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, e.g. 营业执照, 2025年度审计报告."),
    )

    class Meta:
        model = Programme
        fields = [
            "title",
            "category",
            "description",
            "policy_document",
            "budget",
            "per_enterprise_cap",
            "opens_at",
            "closes_at",
            "required_documents",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
            "budget": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "per_enterprise_cap": forms.NumberInput(
                attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}
            ),
        }
        help_texts = {
            "policy_document": _("The document number or a link, e.g. 胶政发〔2026〕3号."),
            "per_enterprise_cap": _("Leave empty for no cap."),
        }

    @classmethod
    def for_programme(cls, programme: Programme | None, data=None) -> "ProgrammeForm":
        if programme is None:
            return cls(data)
        initial = {name: getattr(programme, name) for name in cls.Meta.fields}
        initial["required_documents"] = "\n".join(programme.required_documents or [])
        return cls(data, initial=initial)

    def clean_required_documents(self) -> list[str]:
        lines = (self.cleaned_data.get("required_documents") or "").splitlines()
        documents: list[str] = []
        for line in lines:
            name = line.strip().lstrip("-•·*").strip()
            if name and name not in documents:
                documents.append(name[:100])
        return documents


class StageForm(forms.Form):
    name = forms.CharField(label=_("name for staff"), max_length=50)
    public_name = forms.CharField(
        label=_("name shown to enterprises"),
        max_length=50,
        required=False,
        help_text=_("Empty: the same as the name for staff."),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Stage.Kind.choices, initial=Stage.Kind.REVIEW)
    role = forms.ChoiceField(label=_("acting role"), choices=Stage.Role.choices, initial=Stage.Role.REVIEWER)
    office = forms.CharField(label=_("office holding it"), max_length=100, required=False)
    time_limit_days = forms.IntegerField(
        label=_("time limit (working days)"),
        min_value=1,
        max_value=60,
        initial=5,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def stage(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "public_name": (data.get("public_name") or "").strip() or data["name"].strip(),
            "kind": data["kind"],
            "role": data["role"],
            "office": (data.get("office") or "").strip(),
            "time_limit_days": data["time_limit_days"],
        }


class BaseStageFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A decimal order: a stage put between 2 and 3 is given 2.5 and every stage is then
        # numbered 1, 2, 3... again on saving (programme_stages_set), no renumbering by hand.
        integer_order = form.fields[forms.formsets.ORDERING_FIELD_NAME]
        form.fields[forms.formsets.ORDERING_FIELD_NAME] = forms.DecimalField(
            label=_("Order"),
            required=False,
            min_value=0,
            max_digits=6,
            decimal_places=2,
            initial=integer_order.initial,
            help_text=_("To put a stage between two others, give it a number between theirs, e.g. 2.5."),
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "any"}),
        )
        form.fields[forms.formsets.DELETION_FIELD_NAME].label = _("Remove this stage")

    def stages(self) -> list[dict]:
        """The stages in their new order, without the removed ones and the empty new row."""
        return [form.stage() for form in self.ordered_forms]


StageFormSet = forms.formset_factory(
    StageForm,
    formset=BaseStageFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


def stage_formset(programme: Programme, data=None) -> BaseStageFormSet:
    initial = [
        {
            "name": stage.name,
            "public_name": stage.public_name,
            "kind": stage.kind,
            "role": stage.role,
            "office": stage.office,
            "time_limit_days": stage.time_limit_days,
            "ORDER": stage.position,
        }
        for stage in programme.stages.all()
    ]
    return StageFormSet(data, initial=initial, prefix="stages")
