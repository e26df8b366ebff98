"""The rules editor: one row per condition. Forms only parse; tenant_schema.eligibility.rules validates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .rules import FIELD_EN, FIELDS, OPS

FIELD_CHOICES = [("", "—")] + [
    (name, label)
    for name, label in [
        ("above_designated_size", _("Above designated size (yes / no)")),
        ("size_class", _("Size class (large, medium, small, micro)")),
        ("industry", _("Industry (GB/T 4754 section letter, e.g. C)")),
        ("tags", _("Tags (e.g. 专精特新)")),
        ("employees", _("Employees")),
        ("revenue", _("Operating revenue in a year (CNY)")),
        ("tax_paid", _("Tax paid in a year (CNY)")),
        ("rd_spend", _("R&D spend in a year (CNY)")),
        ("output_value", _("Output value in a year (CNY)")),
        ("rd_share", _("R&D share of revenue in a year (%)")),
        ("registered_months", _("Months registered in this park")),
    ]
    if name in FIELDS and name in FIELD_EN
]
OP_CHOICES = [
    ("eq", _("is (=)")),
    ("ne", _("is not (≠)")),
    ("gte", "≥"),
    ("lte", "≤"),
    ("gt", ">"),
    ("lt", "<"),
    ("in", _("is one of")),
    ("not_in", _("is none of")),
    ("has_tag", _("has the tag")),
]
assert {op for op, _label in OP_CHOICES} == set(OPS)
YES, NO = {"1", "true", "yes", "y", "是"}, {"0", "false", "no", "n", "否"}


class RulesForm(forms.Form):
    combine = forms.ChoiceField(
        label=_("An enterprise qualifies when it meets"),
        choices=[("all", _("all of the conditions")), ("any", _("any of the conditions"))],
    )
    no_application_needed = forms.BooleanField(
        label=_("No application needed (免申即享)"),
        required=False,
        help_text=_(
            "When the programme opens, qualifying enterprises get an application made for them, already past intake, for the cap per enterprise."
        ),
    )


class ConditionForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), choices=FIELD_CHOICES, required=False)
    op = forms.ChoiceField(label=_("Comparison"), choices=OP_CHOICES, required=False)
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=200,
        help_text=_("Several values: separate them with commas."),
    )
    year = forms.IntegerField(label=_("Year"), required=False, help_text=_("Only for yearly figures."))

    def condition(self) -> dict | None:
        data = self.cleaned_data
        name = data.get("field")
        if not name:
            return None
        raw = (data.get("value") or "").strip()
        kind = FIELDS[name][0]
        op = data.get("op")
        if kind == "bool":
            value = True if raw.lower() in YES else False if raw.lower() in NO else raw
        elif op in ("in", "not_in"):
            value = [
                part.strip() for part in raw.replace("、", ",").replace("，", ",").split(",") if part.strip()
            ]
        elif name == "industry":
            value = raw.upper()
        else:
            value = raw
        condition = {"field": name, "op": op, "value": value}
        if data.get("year") is not None:
            condition["year"] = data["year"]
        return condition


ConditionFormSet = forms.formset_factory(ConditionForm, extra=2, max_num=20)


def condition_initial(condition: dict) -> dict:
    value = condition.get("value")
    if isinstance(value, list):
        value = ", ".join(value)
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    return {"field": condition["field"], "op": condition["op"], "value": value, "year": condition.get("year")}
