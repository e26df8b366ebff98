"""Forms of expert review: they parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExpertTie, ScoreSheet

CRITERION_ROWS = 6


class ScoreSheetForm(forms.Form):
    experts_per_application = forms.IntegerField(
        label=_("experts per application"), min_value=1, max_value=15, initial=3
    )
    fields = forms.CharField(
        label=_("fields of expertise wanted"),
        required=False,
        help_text=_("Separated by commas, e.g. 智能制造, 新材料; empty: any field."),
    )
    rule = forms.ChoiceField(label=_("who passes"), choices=ScoreSheet.Rule.choices)
    threshold = forms.DecimalField(label=_("pass mark (of 100)"), required=False, min_value=0, max_value=100)
    quota = forms.IntegerField(label=_("places"), required=False, min_value=1)
    publish_expert_names = forms.BooleanField(label=_("show experts' names to enterprises"), required=False)
    show_on_notice = forms.BooleanField(
        label=_("show the scores on the public notice"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, CRITERION_ROWS + 1):
            self.fields[f"criterion_{n}_name"] = forms.CharField(
                label=_("Criterion %(n)s") % {"n": n}, required=False, max_length=100
            )
            self.fields[f"criterion_{n}_weight"] = forms.DecimalField(
                label=_("weight (%)"), required=False, min_value=0, max_value=100
            )
            self.fields[f"criterion_{n}_max_points"] = forms.IntegerField(
                label=_("maximum points"), required=False, min_value=1, max_value=1000, initial=10
            )

    def criterion_rows(self):
        return [
            (self[f"criterion_{n}_name"], self[f"criterion_{n}_weight"], self[f"criterion_{n}_max_points"])
            for n in range(1, CRITERION_ROWS + 1)
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        criteria = [
            {
                "name": data.get(f"criterion_{n}_name") or "",
                "weight": data.get(f"criterion_{n}_weight") or 0,
                "max_points": data.get(f"criterion_{n}_max_points") or 10,
            }
            for n in range(1, CRITERION_ROWS + 1)
            if data.get(f"criterion_{n}_name")
        ]
        return {
            "criteria": criteria,
            "experts_per_application": data["experts_per_application"],
            "fields": data.get("fields") or "",
            "rule": data["rule"],
            "threshold": data.get("threshold"),
            "quota": data.get("quota"),
            "publish_expert_names": data.get("publish_expert_names", False),
            "show_on_notice": data.get("show_on_notice", False),
        }


class ExpertForm(forms.Form):
    email = forms.EmailField(label=_("email address"))
    full_name = forms.CharField(label=_("full name"), max_length=100)
    fields = forms.CharField(label=_("fields of expertise"), help_text=_("Separated by commas."))
    title = forms.CharField(label=_("professional title"), max_length=100, required=False)
    employer = forms.CharField(label=_("employer"), max_length=200, required=False)
    employer_credit_code = forms.CharField(label=_("employer's credit code"), max_length=18, required=False)


class TieForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("enterprise"), queryset=None)
    kind = forms.ChoiceField(label=_("tie"), choices=ExpertTie.Kind.choices)
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    ended_on = forms.DateField(
        label=_("ended on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises


class DeclarationForm(forms.Form):
    comment = forms.CharField(
        label=_("the tie (for a conflict)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScoresForm(forms.Form):
    public_comment = forms.CharField(
        label=_("comment for the enterprise"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    internal_comment = forms.CharField(
        label=_("comment for the park only"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（0–{criterion.max_points}）",
                help_text=criterion.guidance,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=1,
            )

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class ConfirmForm(forms.Form):
    comment = forms.CharField(
        label=_("reason shown to the enterprises (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
