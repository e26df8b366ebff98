from django import forms
from django.utils.translation import gettext_lazy as _

from public_schema.network.models import ServiceCategory
from saas.attachments import ACCEPT

from .models import VoucherScheme

MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})
DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class SchemeForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("kind"), choices=VoucherScheme.Kind.choices)
    budget = forms.DecimalField(
        label=_("total budget (CNY)"), max_digits=14, decimal_places=2, widget=MONEY_WIDGET
    )
    face_value = forms.DecimalField(
        label=_("face value (CNY)"), required=False, max_digits=14, decimal_places=2, widget=MONEY_WIDGET
    )
    percentage = forms.DecimalField(
        label=_("percentage of the price"),
        required=False,
        max_digits=5,
        decimal_places=2,
        widget=MONEY_WIDGET,
    )
    cap_per_voucher = forms.DecimalField(
        label=_("cap per voucher (CNY)"), required=False, max_digits=14, decimal_places=2, widget=MONEY_WIDGET
    )
    cap_per_enterprise = forms.DecimalField(
        label=_("cap per enterprise (CNY)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=MONEY_WIDGET,
    )
    categories = forms.MultipleChoiceField(
        label=_("eligible service categories"),
        choices=ServiceCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = forms.DateField(label=_("valid from"), widget=DATE_WIDGET)
    valid_until = forms.DateField(label=_("valid until"), widget=DATE_WIDGET)
    auto_grant = forms.BooleanField(label=_("granted without application (免申即享)"), required=False)


class ClaimForm(forms.Form):
    vouchers = forms.MultipleChoiceField(label=_("Vouchers"), widget=forms.CheckboxSelectMultiple)
    contract = forms.FileField(label=_("Contract"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    invoice = forms.FileField(label=_("Invoice"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    delivery = forms.FileField(
        label=_("Delivery proof"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, vouchers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vouchers"].choices = [
            (v.pk, f"{v.code} · {v.enterprise_name} · {v.order_reference} · {v.discount}") for v in vouchers
        ]
