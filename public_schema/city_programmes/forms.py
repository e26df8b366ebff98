"""The hub's publish form. It only parses; public_schema.city_programmes.services decides.

The eligibility rules and the 免申即享 flag come from the rules editor tenants use
(tenant_schema.eligibility.forms), shown beside this form, so a city programme's rules are
written the same way as a park's and never as raw JSON.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from public_schema.tenants.models import Tenant
from tenant_schema.funding.models import Programme

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class CityProgrammeForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Programme.Category.choices)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    policy_document = forms.CharField(label=_("policy document"), max_length=300, required=False)
    budget = forms.DecimalField(
        label=_("total budget (CNY), split evenly"), max_digits=16, decimal_places=2, min_value=0
    )
    per_enterprise_cap = forms.DecimalField(
        label=_("cap per enterprise (CNY)"), max_digits=16, decimal_places=2, min_value=0, required=False
    )
    opens_at = forms.DateTimeField(
        label=_("opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)
    )
    closes_at = forms.DateTimeField(
        label=_("closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)
    )
    tenants = forms.ModelMultipleChoiceField(
        label=_("tenants"),
        queryset=Tenant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "None chosen: every live tenant of today. Tenants created later receive it only when added."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenants"].queryset = (
            Tenant.objects.live().filter(status=Tenant.Status.ACTIVE).order_by("name")
        )


class AddTenantForm(forms.Form):
    tenant = forms.ModelChoiceField(label=_("tenant"), queryset=Tenant.objects.none())
    budget = forms.DecimalField(label=_("budget share (CNY)"), max_digits=16, decimal_places=2, min_value=0)

    def __init__(self, *args, city_programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = city_programme.shares.values_list("tenant_id", flat=True) if city_programme else []
        self.fields["tenant"].queryset = Tenant.objects.live().exclude(pk__in=chosen).order_by("name")
