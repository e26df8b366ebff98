"""Reads after an award: scoped fetches (the same 404 for "not yours" and "does not exist"),
what the enterprise sees next, and a programme's money."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from every_schema.accounts import roles
from tenant_schema.applications.models import Application
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_staff

from . import workflow as wf
from .models import REPORT_OWED, Award, Recovery, Report, Tranche

ZERO = Decimal("0")


def _award_rows() -> QuerySet[Award]:
    return Award.objects.select_related(
        "application__programme", "application__enterprise", "application__current_stage"
    )


def award_list_for_user(*, user) -> QuerySet[Award]:
    """The park's staff see every award; an enterprise its own; acceptance reviewers those they review."""
    rows = _award_rows()
    if not getattr(user, "is_authenticated", False):
        return rows.none()
    if user_is_park_staff(user):
        return rows
    enterprise = enterprise_of_user(user=user)
    mine = Q(acceptance_reviewers=user)
    if enterprise is not None:
        mine |= Q(application__enterprise=enterprise)
    return rows.filter(mine).distinct()


def award_get_for_user(*, user, pk) -> Award:
    try:
        return award_list_for_user(user=user).get(pk=int(pk))
    except (Award.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def tranche_get_for_user(*, user, pk) -> Tranche:
    try:
        tranche = Tranche.objects.select_related("award").get(pk=int(pk))
    except (Tranche.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    award_get_for_user(user=user, pk=tranche.award_id)
    return tranche


def report_get_for_user(*, user, pk) -> Report:
    try:
        report = Report.objects.select_related("award").get(pk=int(pk))
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    award_get_for_user(user=user, pk=report.award_id)
    return report


def recovery_get_for_user(*, user, pk) -> Recovery:
    try:
        recovery = Recovery.objects.select_related("award").get(pk=int(pk))
    except (Recovery.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    award_get_for_user(user=user, pk=recovery.award_id)
    return recovery


def user_is_park_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(roles.PARK_ADMIN))


def award_summary(*, award: Award) -> dict:
    """Paid so far, the next tranche and what holds it, reports owed: what both sides' pages lead with."""
    tranches = list(award.tranches.all())
    paid = sum((t.amount for t in tranches if t.status == Tranche.Status.PAID), ZERO)
    upcoming = next((t for t in tranches if t.status == Tranche.Status.PLANNED), None)
    return {
        "paid": paid,
        "left": award.amount - paid,
        "next": upcoming,
        "next_hold": wf.tranche_hold(upcoming) if upcoming is not None else None,
        "reports_owed": [r for r in award.reports.all() if r.status in REPORT_OWED],
        "open_recovery": award.recoveries.filter(status=Recovery.Status.OPEN).first(),
    }


def approved_without_plan() -> QuerySet[Application]:
    """Approved applications whose payment plan is still to be made (the park's to-do list)."""
    return Application.objects.filter(status=Application.Status.APPROVED, award__isnull=True).select_related(
        "programme", "enterprise"
    )


def programme_money(*, programme_id: int) -> dict[str, Decimal]:
    """The programme's budget counted apart: committed (awards approved), paid (tranches paid,
    and single disbursements of awards without a plan) and recovered (repayments).

    The hub's own definition (tenant_schema.figures.PROGRAMME_FIGURES_SQL) over this schema,
    so a park and the hub never count a programme's money two ways.
    """
    from tenant_schema.figures import PROGRAMME_FIGURES_SQL

    schema = '"' + connection.schema_name.replace('"', '""') + '"'
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT budget, committed, paid, recovered FROM ({PROGRAMME_FIGURES_SQL.format(schema=schema)}) s"
            " WHERE programme_id = %s",
            [programme_id],
        )
        row = cursor.fetchone()
    if row is None:  # a draft programme: nothing awarded yet
        return {"budget": ZERO, "committed": ZERO, "paid": ZERO, "recovered": ZERO}
    budget, committed, paid, recovered = row
    return {"budget": budget, "committed": committed, "paid": paid, "recovered": recovered}
