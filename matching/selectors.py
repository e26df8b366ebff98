"""Reads for policy matching: who qualifies for what, and why."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from applications.models import Application
from enterprises.models import Enterprise, Tag, YearlyFigures
from funding.models import Programme
from funding.selectors import programme_list_open

from .models import AutoApplication, PushDelivery, PushRun
from .rules import CANNOT_TELL, DOES_NOT_QUALIFY, QUALIFIES, Evaluation, facts_of, rules_evaluate

OUTCOME_ORDER = {QUALIFIES: 0, CANNOT_TELL: 1, DOES_NOT_QUALIFY: 2}


def enterprises_for_matching() -> QuerySet[Enterprise]:
    """Verified enterprises with what the rules read prefetched (two extra queries, whatever the count).

    Only verified enterprises are matched: they are the ones who can apply (and receive 免申即享).
    """
    return (
        Enterprise.objects.filter(status=Enterprise.Status.VERIFIED)
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("pk", "name")),
            Prefetch("yearly_figures", queryset=YearlyFigures.objects.all()),
        )
        .order_by("name", "pk")
    )


@dataclass
class ProgrammeMatch:
    programme: Programme
    evaluation: Evaluation
    possible_award: object
    application: Application | None
    auto_application: AutoApplication | None


def match_report(*, enterprise: Enterprise, now=None) -> list[ProgrammeMatch]:
    """Every open programme with the enterprise's outcome, qualifying ones first."""
    now = now or timezone.now()
    enterprise = Enterprise.objects.prefetch_related("tags", "yearly_figures").get(pk=enterprise.pk)
    facts = facts_of(enterprise, now=now)
    programmes = list(programme_list_open(now=now))
    applications = {
        a.programme_id: a
        for a in Application.objects.filter(enterprise=enterprise, programme__in=programmes).order_by("pk")
    }
    autos = {
        a.programme_id: a
        for a in AutoApplication.objects.filter(enterprise=enterprise, programme__in=programmes)
    }
    report = [
        ProgrammeMatch(
            programme=programme,
            evaluation=rules_evaluate(programme.eligibility_rules, facts),
            possible_award=programme.per_enterprise_cap,
            application=applications.get(programme.pk),
            auto_application=autos.get(programme.pk),
        )
        for programme in programmes
    ]
    report.sort(key=lambda match: (OUTCOME_ORDER[match.evaluation.outcome], match.programme.closes_at))
    return report


def programme_matches(*, programme: Programme, outcome: str | None = QUALIFIES, explain: bool = False):
    """[(enterprise, evaluation)] for the park's verified enterprises, with the given outcome (None: all).

    For "qualifies" the database narrows the list first (matching.prefilter); Python decides.
    """
    from .prefilter import rules_prefilter

    now = timezone.now()
    enterprises = enterprises_for_matching()
    if outcome == QUALIFIES:
        narrowed = rules_prefilter(programme.eligibility_rules, now=now)
        if narrowed is not None:
            enterprises = enterprises.filter(narrowed)
    rows = []
    for enterprise in enterprises:
        evaluation = rules_evaluate(
            programme.eligibility_rules, facts_of(enterprise, now=now), explain=explain
        )
        if outcome is None or evaluation.outcome == outcome:
            rows.append((enterprise, evaluation))
    return rows


def programme_qualifying_ids(*, programme: Programme) -> list[int]:
    return [enterprise.pk for enterprise, _ in programme_matches(programme=programme)]


def programme_pushed_ids(*, programme: Programme) -> set[int]:
    return set(PushDelivery.objects.filter(programme=programme).values_list("enterprise_id", flat=True))


def push_run_latest(*, programme: Programme) -> PushRun | None:
    return programme.push_runs.order_by("-pk").first()


def push_run_get_for_staff(*, pk) -> PushRun:
    try:
        return PushRun.objects.select_related("programme").get(pk=pk)
    except (PushRun.DoesNotExist, ValueError, TypeError):
        raise Http404("No such push") from None


def auto_application_get_for_enterprise(*, enterprise: Enterprise | None, pk) -> AutoApplication:
    """The enterprise's own automatic application; the same 404 for "not yours" and "does not exist"."""
    if enterprise is None:
        raise Http404("No such application")
    try:
        return AutoApplication.objects.select_related("programme", "application").get(
            pk=pk, enterprise=enterprise
        )
    except (AutoApplication.DoesNotExist, ValueError, TypeError):
        raise Http404("No such application") from None
