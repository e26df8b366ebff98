"""Hub pages: publish a city-wide programme, follow its fan-out and the tenants' totals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from public_schema.hub.access import hub_operator_required
from tenant_schema.eligibility.forms import ConditionFormSet, RulesForm
from tenant_schema.eligibility.rules import rules_render
from tenant_schema.enterprises.forms import form_add_service_error

from .forms import AddTenantForm, CityProgrammeForm
from .selectors import city_programme_get, city_programme_list, city_programme_shares
from .services import city_programme_publish, city_programme_tenants_add, city_programme_totals


@hub_operator_required
def programme_list(request):
    data = request.POST if request.method == "POST" else None
    form = CityProgrammeForm(data)
    rules_form = RulesForm(data, prefix="rules", initial={"combine": "all"})
    formset = ConditionFormSet(data, prefix="conditions")
    rule_errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid() and rules_form.is_valid() and formset.is_valid():
            fields = dict(form.cleaned_data)
            tenants = list(fields.pop("tenants")) or None
            conditions = [c for c in (row.condition() for row in formset) if c is not None]
            fields["eligibility_rules"] = (
                {"combine": rules_form.cleaned_data["combine"], "conditions": conditions}
                if conditions
                else {}
            )
            fields["no_application_needed"] = rules_form.cleaned_data["no_application_needed"]
            try:
                city_programme = city_programme_publish(actor=request.user, tenants=tenants, **fields)
            except ValidationError as error:
                # A refused rule is shown above the rules editor, every other refusal on its field.
                errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
                rule_errors = errors.pop("eligibility_rules", [])
                for field, field_errors in errors.items():
                    form.add_error(field if field in form.fields else None, field_errors)
                status = 400
            else:
                messages.success(request, _("Published; each chosen tenant receives its own copy."))
                return redirect("citywide:detail", pk=city_programme.pk)
        else:
            status = 400
    return render(
        request,
        "citywide/list.html",
        {
            "programmes": city_programme_list(),
            "form": form,
            "rules_form": rules_form,
            "formset": formset,
            "rule_errors": rule_errors,
        },
        status=status,
    )


@hub_operator_required
def programme_detail(request, pk):
    city_programme = city_programme_get(pk=pk)
    form = AddTenantForm(request.POST or None, city_programme=city_programme)
    if request.method == "POST" and form.is_valid():
        try:
            city_programme_tenants_add(
                city_programme=city_programme,
                shares={form.cleaned_data["tenant"]: form.cleaned_data["budget"]},
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Tenant added; its copy is on its way."))
            return redirect("citywide:detail", pk=city_programme.pk)
    return render(
        request,
        "citywide/detail.html",
        {
            "city_programme": city_programme,
            "rules_text": rules_render(city_programme.eligibility_rules),
            "shares": city_programme_shares(city_programme=city_programme),
            "totals": city_programme_totals(city_programme=city_programme),
            "form": form,
        },
    )
