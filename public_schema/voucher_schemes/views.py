"""Voucher pages (Chinese by default, phone-sized): the issuer's, the enterprise's and the institution's.

Every fetch goes through selectors scoped to the site and the person; pages offer the moves
the workflow offers (`actions_for`), and the services decide.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas.attachments import attachment_response
from saas.workflow import TransitionRefused

from . import selectors, services
from . import workflow as wf
from .api import site_tenant
from .forms import ClaimForm, SchemeForm
from .models import NetworkVoucher, VoucherClaim


def _error_text(error) -> str:
    if isinstance(error, TransitionRefused):
        return str(error.message)
    return " ".join(error.messages)


def _issuer_only(request):
    if not wf.is_issuer_staff(request.user, site_tenant(request)):
        raise Http404


def _institution_only(request):
    tenant = site_tenant(request)
    if tenant.kind != "institution" or not wf.is_institution_staff(request.user, tenant):
        raise Http404


# ---------------------------------------------------------------------------------------------
# Issuer
# ---------------------------------------------------------------------------------------------


@login_required
def issuer_schemes(request):
    _issuer_only(request)
    issuer = site_tenant(request)
    form = SchemeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                scheme = services.scheme_create(issuer=issuer, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                from tenant_schema.enterprises.forms import form_add_service_error

                form_add_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("The voucher scheme is issued."))
                return redirect("vouchers:issuer-scheme", pk=scheme.pk)
        else:
            status = 400
    schemes = [
        (scheme, scheme.budget - scheme.budget_used) for scheme in selectors.schemes_for_issuer(issuer=issuer)
    ]
    return render(
        request, "voucher_schemes/issuer_schemes.html", {"schemes": schemes, "form": form}, status=status
    )


@login_required
def issuer_scheme(request, pk):
    _issuer_only(request)
    scheme = selectors.scheme_get_for_issuer(issuer=site_tenant(request), pk=pk)
    vouchers = scheme.vouchers.select_related("holder", "institution").order_by("-created_at")[:200]
    return render(
        request,
        "voucher_schemes/issuer_scheme.html",
        {"scheme": scheme, "budget_left": scheme.budget - scheme.budget_used, "vouchers": vouchers},
    )


@login_required
def issuer_applications(request):
    _issuer_only(request)
    issuer = site_tenant(request)
    if request.method == "POST":
        voucher = selectors.voucher_get_for_issuer(issuer=issuer, pk=request.POST.get("voucher"))
        try:
            services.voucher_review(
                voucher_id=voucher.pk,
                action=request.POST.get("action", ""),
                actor=request.user,
                comment=request.POST.get("comment", ""),
                expected_status=request.POST.get("expected_status") or None,
            )
        except (ValidationError, TransitionRefused) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Done."))
        return redirect("vouchers:issuer-applications")
    applications = [
        (voucher, wf.VOUCHER_WORKFLOW.actions_for(request.user, voucher))
        for voucher in selectors.vouchers_of_issuer(issuer=issuer, status=NetworkVoucher.Status.APPLIED)[:200]
    ]
    return render(request, "voucher_schemes/issuer_applications.html", {"applications": applications})


@login_required
def issuer_claims(request):
    _issuer_only(request)
    claims = selectors.claims_for_issuer(issuer=site_tenant(request))[:200]
    return render(
        request, "voucher_schemes/claims.html", {"claims": claims, "detail_url": "vouchers:issuer-claim"}
    )


@login_required
def issuer_claim(request, pk):
    _issuer_only(request)
    claim = selectors.claim_get_for_issuer(issuer=site_tenant(request), pk=pk)
    if request.method == "POST":
        try:
            services.claim_move(
                claim_id=claim.pk,
                action=request.POST.get("action", ""),
                actor=request.user,
                comment=request.POST.get("comment", ""),
                settled_amount=request.POST.get("settled_amount") or None,
                settled_on=request.POST.get("settled_on") or None,
                expected_status=request.POST.get("expected_status") or None,
            )
        except (ValidationError, TransitionRefused) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Done."))
        return redirect("vouchers:issuer-claim", pk=claim.pk)
    return render(
        request,
        "voucher_schemes/claim_detail.html",
        {
            "claim": claim,
            "actions": wf.CLAIM_WORKFLOW.actions_for(request.user, claim),
            "file_url": "vouchers:issuer-claim-file",
        },
    )


@login_required
def issuer_claim_file(request, pk, file_pk):
    _issuer_only(request)
    claim = selectors.claim_get_for_issuer(issuer=site_tenant(request), pk=pk)
    return attachment_response(attachment=selectors.claim_file_get(claim=claim, pk=file_pk))


# ---------------------------------------------------------------------------------------------
# Enterprise
# ---------------------------------------------------------------------------------------------


def _enterprise(request):
    from tenant_schema.enterprises.selectors import enterprise_of_user

    enterprise = enterprise_of_user(user=request.user)
    if enterprise is None:
        raise Http404
    return enterprise


@login_required
def my_vouchers(request):
    enterprise = _enterprise(request)
    holder = site_tenant(request)
    vouchers = selectors.vouchers_for_enterprise(holder=holder, enterprise_id=enterprise.pk)
    return render(
        request,
        "voucher_schemes/my_vouchers.html",
        {"vouchers": vouchers, "schemes": selectors.schemes_open_to(holder=holder)},
    )


@login_required
@require_POST
def scheme_apply(request, pk):
    enterprise = _enterprise(request)
    holder = site_tenant(request)
    scheme = selectors.scheme_get_open_to(holder=holder, pk=pk)
    try:
        services.voucher_apply(scheme=scheme, holder=holder, enterprise=enterprise, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Applied: the issuer reviews your application."))
    return redirect("vouchers:mine")


# ---------------------------------------------------------------------------------------------
# Institution
# ---------------------------------------------------------------------------------------------


@login_required
def institution_claims(request):
    _institution_only(request)
    institution = site_tenant(request)
    return render(
        request,
        "voucher_schemes/claims.html",
        {
            "claims": selectors.claims_of_institution(institution=institution)[:200],
            "detail_url": "voucher_claims:detail",
            "spent": selectors.vouchers_spent_at(
                institution=institution, status=NetworkVoucher.Status.SPENT
            ).count(),
        },
    )


@login_required
def institution_claim_new(request):
    _institution_only(request)
    institution = site_tenant(request)
    # Only orders the enterprise confirmed as delivered may be claimed.
    spent = list(
        selectors.vouchers_spent_at(institution=institution, status=NetworkVoucher.Status.SPENT).filter(
            delivered_at__isnull=False
        )
    )
    form = ClaimForm(request.POST or None, request.FILES or None, vouchers=spent)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                claim = services.claim_file(
                    institution=institution,
                    actor=request.user,
                    voucher_ids=form.cleaned_data["vouchers"],
                    files={kind: [form.cleaned_data[kind]] for kind in ("contract", "invoice", "delivery")},
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                from tenant_schema.enterprises.forms import form_add_service_error

                form_add_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("Claim filed: the issuer reviews it."))
                return redirect("voucher_claims:detail", pk=claim.pk)
        else:
            status = 400
    return render(request, "voucher_schemes/claim_new.html", {"form": form}, status=status)


@login_required
def institution_claim(request, pk):
    _institution_only(request)
    claim = selectors.claim_get_for_institution(institution=site_tenant(request), pk=pk)
    return render(
        request,
        "voucher_schemes/claim_detail.html",
        {
            "claim": claim,
            "actions": [],
            "file_url": "voucher_claims:file",
            "stages": VoucherClaim.Status.choices,
        },
    )


@login_required
def institution_claim_file(request, pk, file_pk):
    _institution_only(request)
    claim = selectors.claim_get_for_institution(institution=site_tenant(request), pk=pk)
    return attachment_response(attachment=selectors.claim_file_get(claim=claim, pk=file_pk))


# ---------------------------------------------------------------------------------------------
# The hub's figures
# ---------------------------------------------------------------------------------------------


@login_required
def hub_figures(request):
    """Vouchers issued, spent, claimed and settled per issuer and per institution; ?export=csv for a file."""
    import csv

    from django.http import HttpResponse

    from .figures import (
        COLUMNS,
        voucher_figures_by_institution,
        voucher_figures_by_issuer,
        voucher_figures_total,
    )

    if (
        not wf.is_issuer_staff(request.user, site_tenant(request))
        or site_tenant(request).schema_name != "public"
    ):
        raise Http404
    by_issuer, by_institution = voucher_figures_by_issuer(), voucher_figures_by_institution()
    if request.GET.get("export") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="voucher-figures.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 with a byte-order mark as Chinese text
        writer = csv.writer(response)
        writer.writerow([_("Group"), _("Name"), *COLUMNS])
        for group, rows, key in (
            (_("Issuer"), by_issuer, "scheme__issuer__name"),
            (_("Institution"), by_institution, "institution__name"),
        ):
            for row in rows:
                writer.writerow([group, row[key], *(row[column] for column in COLUMNS)])
        return response
    return render(
        request,
        "voucher_schemes/hub_figures.html",
        {"by_issuer": by_issuer, "by_institution": by_institution, "total": voucher_figures_total()},
    )
