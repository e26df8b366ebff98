from django import forms
from django.utils.translation import gettext_lazy as _

from public_schema.tenants.models import Tenant

from .selectors import STATUS_ACTIVE, STATUS_ALL, STATUS_SUSPENDED, HubFilters
from .tables import FIGURE_LABELS, RANKABLE


class HubFilterForm(forms.Form):
    """The dashboard's filters; a value that does not parse is ignored, never a 500."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds"))]
        + [c for c in Tenant.Kind.choices if c[0] not in (Tenant.Kind.HUB, Tenant.Kind.INSTITUTION)],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (STATUS_ALL, _("All, suspended marked")),
            (STATUS_ACTIVE, _("Active only")),
            (STATUS_SUSPENDED, _("Suspended only")),
        ],
    )
    rank_by = forms.ChoiceField(
        label=_("Rank by"), required=False, choices=[(key, FIGURE_LABELS[key]) for key in RANKABLE]
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self, *, slug: str | None = None) -> HubFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return HubFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            # A drill-down shows its one tenant whatever kind or status the city view was filtered to.
            kind=None if slug else data.get("kind") or None,
            status=STATUS_ALL if slug else data.get("status") or STATUS_ALL,
            slug=slug,
        )

    def rank_by_value(self) -> str:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("rank_by") or "approval_rate"
