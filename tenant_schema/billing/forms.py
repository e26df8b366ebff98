"""Forms of the service pages. They check input and show errors; the services decide and write."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_schema.enterprises.credit_code import credit_code_validate
from tenant_schema.enterprises.models import Enterprise

from .models import Payment, Provider, Service, Subscription, TransferAccount, Voucher
from .selectors import vouchers_usable
from .services import voucher_discount


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    category = forms.ChoiceField(label=_("category"), choices=Service.Category.choices)
    provider = forms.ModelChoiceField(
        label=_("provider"),
        queryset=Provider.objects.all(),
        required=False,
        empty_label=_("The park itself"),
    )
    price = forms.DecimalField(
        label=_("price per month (CNY)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("0 for a public-welfare service."),
    )
    term_options = forms.TypedMultipleChoiceField(
        label=_("terms offered"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        choices=[(months, _("%(months)d months") % {"months": months}) for months in (1, 3, 6, 12, 24)],
        initial=[3, 6, 12],
    )
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    is_active = forms.BooleanField(label=_("offered"), required=False, initial=True)

    def __init__(self, *args, service: Service | None = None, **kwargs):
        if service is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": service.name,
                    "category": service.category,
                    "provider": service.provider,
                    "price": service.price,
                    "term_options": service.term_options,
                    "description": service.description,
                    "is_active": service.is_active,
                },
            )
        super().__init__(*args, **kwargs)


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    contact = forms.CharField(label=_("contact"), max_length=200, required=False)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CheckoutForm(forms.Form):
    term_months = forms.TypedChoiceField(label=_("Term"), coerce=int, widget=forms.RadioSelect)
    voucher_code = forms.ChoiceField(label=_("Service voucher"), required=False)
    method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect, required=False)

    def __init__(self, *args, service: Service, enterprise: Enterprise, stripe_enabled: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_months"].choices = [
            (
                months,
                _("%(months)d months · ¥%(price)s") % {"months": months, "price": service.price_for(months)},
            )
            for months in service.term_options
        ]
        if len(service.term_options) == 1:
            self.fields["term_months"].initial = service.term_options[0]
        self.vouchers = list(vouchers_usable(enterprise=enterprise, service=service))
        self.fields["voucher_code"].choices = [("", _("No voucher"))] + [
            (voucher.code, self._voucher_label(voucher)) for voucher in self.vouchers
        ]
        methods = []
        if stripe_enabled:
            methods.append((Payment.Method.STRIPE, _("Pay online (card, Alipay, WeChat Pay)")))
        methods.append((Payment.Method.OFFLINE, _("Bank transfer (对公转账); the park confirms receipt")))
        self.fields["method"].choices = methods
        self.fields["method"].initial = methods[0][0]
        if service.is_public_welfare:
            del self.fields["voucher_code"]
            del self.fields["method"]

    @staticmethod
    def _voucher_label(voucher: Voucher) -> str:
        if voucher.kind == Voucher.Kind.PERCENT:
            worth = _("%(value)s%% off") % {"value": voucher.value.normalize()}
        else:
            worth = _("¥%(value)s off") % {"value": voucher.value}
        return _("%(code)s · %(worth)s · valid until %(date)s") % {
            "code": voucher.code,
            "worth": worth,
            "date": voucher.expires_on.isoformat(),
        }

    def discounts(self, service: Service) -> dict:
        """Per voucher and term, what would be left to pay (shown next to the choices)."""
        return {
            voucher.code: {
                months: service.price_for(months)
                - voucher_discount(voucher=voucher, price=service.price_for(months))
                for months in service.term_options
            }
            for voucher in self.vouchers
        }


class TransferForm(forms.Form):
    reference = forms.CharField(label=_("transfer reference"), max_length=100, required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("rating"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(score, "★" * score) for score in range(5, 0, -1)],
    )
    comment = forms.CharField(
        label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class VoucherForm(forms.Form):
    credit_code = forms.CharField(
        label=_("Enterprise's credit code"),
        max_length=40,
        help_text=_("The voucher belongs to this enterprise only."),
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=Voucher.Kind.choices, widget=forms.RadioSelect, initial="amount"
    )
    value = forms.DecimalField(
        label=_("value"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Yuan for a fixed amount; 1 to 100 for a percentage."),
    )
    expires_on = forms.DateField(label=_("valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    service = forms.ModelChoiceField(
        label=_("only for service"),
        queryset=Service.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any service"),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def clean_credit_code(self):
        try:
            code = credit_code_validate(self.cleaned_data["credit_code"])
        except forms.ValidationError as error:
            raise forms.ValidationError(error.error_dict["credit_code"]) from None
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("No enterprise with this credit code is registered here."))
        self.cleaned_data["enterprise"] = enterprise
        return code

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < timezone.localdate():
            raise forms.ValidationError(_("The expiry date has already passed."))
        return expires_on


class TransferAccountForm(forms.ModelForm):
    class Meta:
        model = TransferAccount
        fields = ["payee", "bank", "account_number", "days_to_pay", "note"]


class SubscriptionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=[("", _("All")), *Subscription.Status.choices],
    )
    q = forms.CharField(
        label=_("Enterprise"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or credit code")}),
    )
