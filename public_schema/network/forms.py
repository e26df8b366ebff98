"""Forms of the institution's site and the hub's pool pages; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles

from .models import InstitutionProfile, NetworkProduct, ServiceCategory
from .services import servable_tenants


class TenantChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class ProfileForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("service categories"), choices=ServiceCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    serves = TenantChoiceField(
        label=_("sub-platforms served"),
        queryset=servable_tenants(),
        required=False,
        help_text=_("Leave all unticked to serve the whole network."),
    )

    class Meta:
        model = InstitutionProfile
        fields = [
            "credit_code",
            "introduction",
            "qualifications",
            "categories",
            "serves",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
        ]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "qualifications": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["serves"].queryset = servable_tenants().order_by("name")
        for name in ("credit_code", "introduction", "qualifications", "contact_name", "contact_phone"):
            self.fields[name].required = False  # a draft may be saved half-done; submitting asks for them


class ProductForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=ServiceCategory.choices)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    price = forms.DecimalField(
        label=_("price (CNY)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("0 for a free (public-welfare) service."),
    )
    term_months = forms.TypedChoiceField(
        label=_("rental term (months)"),
        choices=[("", _("Not a rental (one-off service)")), *NetworkProduct.Term.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    delivery_days = forms.IntegerField(
        label=_("delivery time limit (working days)"), min_value=1, max_value=365
    )
    serves = TenantChoiceField(
        label=_("offered to"),
        queryset=servable_tenants(),
        required=False,
        help_text=_("Leave all unticked to offer it to every sub-platform the institution serves."),
    )
    is_published = forms.BooleanField(label=_("published"), required=False)

    def __init__(self, *args, profile: InstitutionProfile, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = list(profile.serves.all())
        queryset = servable_tenants().order_by("name")
        self.fields["serves"].queryset = (
            queryset.filter(pk__in=[t.pk for t in allowed]) if allowed else queryset
        )


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("email address"))
    full_name = forms.CharField(label=_("full name"), max_length=100, required=False)
    role = forms.ChoiceField(
        label=_("role"),
        choices=[
            (name, roles.ROLE_NAMES[name]) for name in (roles.INSTITUTION_STAFF, roles.INSTITUTION_ADMIN)
        ],
    )


class AdmissionActionForm(forms.Form):
    comment = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)
