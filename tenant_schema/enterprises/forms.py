"""Forms of the enterprise pages. They check input and show errors; the services decide and write."""

import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .credit_code import credit_code_validate
from .models import Enterprise, Industry, SizeClass, Tag, YearlyFigures
from .services import PROFILE_FIELDS, VERIFIED_FIELDS

User = get_user_model()

PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")


def form_add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where the form has them, above it otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _credit_code_clean(value: str) -> str:
    try:
        return credit_code_validate(value)
    except ValidationError as error:
        raise ValidationError(error.error_dict["credit_code"]) from None


def _phone_clean(value: str) -> str:
    value = (value or "").strip()
    if value and not PHONE.match(value):
        raise ValidationError(
            _("Enter a mobile or landline number, digits only (an area code and dashes are fine).")
        )
    return value


class CreditCodeField(forms.CharField):
    """The 18-character code, accepted with spaces or lower case and checked by its check character."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", Enterprise._meta.get_field("credit_code").verbose_name)
        kwargs.setdefault("max_length", 30)  # 18 characters, plus the spaces people type from the licence
        kwargs.setdefault("help_text", _("18 characters, printed on the business licence."))
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "code-input",
            }
        )

    def clean(self, value):
        return _credit_code_clean(super().clean(value))


class RegistrationForm(forms.Form):
    """Everything an enterprise needs to start: one short page (seeds/000: heavy sign-up lost enterprises)."""

    credit_code = CreditCodeField()
    name = forms.CharField(
        label=_("Enterprise name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        help_text=_("As on the business licence."),
    )
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("You sign in with this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_contact_phone(self):
        return _phone_clean(self.cleaned_data["contact_phone"])

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        confirm = cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords differ; type the same password twice."))
        elif password:
            candidate = User(email=cleaned.get("email") or "", full_name=cleaned.get("contact_name") or "")
            try:
                password_validation.validate_password(password, user=candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


def _profile_form_fields(*, with_tags: bool) -> dict:
    fields = forms.fields_for_model(
        Enterprise,
        fields=[*PROFILE_FIELDS, "tags"] if with_tags else list(PROFILE_FIELDS),
        widgets={
            "tags": forms.CheckboxSelectMultiple,
            "contact_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "employees": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        },
    )
    fields["name"].required = True
    fields["contact_phone"].validators.append(_phone_clean)
    return fields


class EnterpriseProfileForm(forms.Form):
    """What an enterprise keeps up to date itself.

    Official designations (built-in tags such as 专精特新, which eligibility rules read) stay
    with the park; the enterprise may only pick among the park's own tags, if it has any.
    """

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        self.enterprise = enterprise
        initial = forms.models.model_to_dict(enterprise, fields=list(PROFILE_FIELDS))
        initial["tags"] = [tag.pk for tag in enterprise.tags.all() if not tag.is_builtin]
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if enterprise.status == Enterprise.Status.VERIFIED:
            # Read-only once the park verified them: what is posted for them is ignored.
            for name in VERIFIED_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Verified by the park; ask the park to change it.")
        choosable = Tag.objects.filter(is_builtin=False)
        if choosable.exists():
            self.fields["tags"] = forms.ModelMultipleChoiceField(
                label=Enterprise._meta.get_field("tags").verbose_name,
                queryset=choosable,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def profile_changes(self) -> dict:
        """Keyword arguments for enterprise_update: the profile, and the tags with the official ones kept."""
        changes = dict(self.cleaned_data)
        if "tags" in changes:
            official = [tag for tag in self.enterprise.tags.all() if tag.is_builtin]
            changes["tags"] = [*official, *changes["tags"]]
        return changes


EnterpriseProfileForm.base_fields = _profile_form_fields(with_tags=False)


class ParkEnterpriseForm(forms.Form):
    """The park's form for an enterprise: the whole profile, its credit code and its tags."""

    def __init__(self, *args, enterprise: Enterprise | None = None, **kwargs):
        if enterprise is not None:
            kwargs.setdefault(
                "initial", forms.models.model_to_dict(enterprise, fields=list(self.base_fields))
            )
        super().__init__(*args, **kwargs)


ParkEnterpriseForm.base_fields = {"credit_code": CreditCodeField(), **_profile_form_fields(with_tags=True)}


def _money_field(field_name: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=format_lazy("{} ({})", YearlyFigures._meta.get_field(field_name).verbose_name, _("yuan")),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": 0}),
    )


class FiguresForm(forms.Form):
    """One year's figures, in yuan. Saving a year that already has figures corrects them."""

    # The service checks the range (1990 to this year) and says so on the field.
    year = forms.IntegerField(
        label=_("Year"), widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1990})
    )
    output_value = _money_field("output_value")
    revenue = _money_field("revenue")
    tax_paid = _money_field("tax_paid")
    rd_spend = _money_field("rd_spend")


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's email"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    full_name = forms.CharField(label=_("Name"), max_length=100, required=False)


class RejectForm(forms.Form):
    # Not required here: the service refuses an empty reason with the message the park should read.
    reason = forms.CharField(
        label=_("Reason for rejection"),
        required=False,
        help_text=_("The enterprise reads this and corrects its registration."),
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )


YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


class EnterpriseFilterForm(forms.Form):
    """The park list's search and filters, read from the query string; a bad value is simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, choices=[("", _("All industries")), *Industry.choices]
    )
    size_class = forms.ChoiceField(
        label=_("Size"), required=False, choices=[("", _("All sizes")), *SizeClass.choices]
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Enterprise.Status.choices]
    )
    above = forms.ChoiceField(label=_("Above designated size"), required=False, choices=YES_NO)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": _("Name or credit code"), "type": "search"})
        self.fields["tag"].choices = [
            ("", _("All tags")),
            *((name, name) for name in Tag.objects.values_list("name", flat=True)),
        ]

    def selector_filters(self) -> dict:
        """Keyword arguments for enterprise_list_for_user; invalid fields are left out."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items()}
        above = data.get("above")
        return {
            "search": data.get("q") or "",
            "industry": data.get("industry") or "",
            "size_class": data.get("size_class") or "",
            "tag": data.get("tag") or "",
            "status": data.get("status") or "",
            "above_designated_size": {"yes": True, "no": False}.get(above or ""),
        }
