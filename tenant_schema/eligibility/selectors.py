"""Reads for policy matching: who qualifies for what, and why."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from tenant_schema.applications.models import Application
from tenant_schema.enterprises.models import Enterprise, Tag, YearlyFigures
from tenant_schema.funding.models import Programme
from tenant_schema.funding.selectors import programme_list_open

from . import compiler
from .models import AutoApplication, PushDelivery, PushRun
from .rules import (
    CANNOT_TELL,
    DOES_NOT_QUALIFY,
    QUALIFIES,
    Evaluation,
    facts_of,
    rules_evaluate,
    rules_evaluate_validated,
    rules_render,
    rules_validate,
)

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


@dataclass
class ProgrammeEligibility:
    """Who may apply to a programme, in words, and (for a signed-in enterprise) whether it may."""

    rules_text: str
    evaluation: Evaluation | None  # None when nobody's enterprise is known (a visitor, park staff)


def programme_eligibility(
    *, programme: Programme, enterprise: Enterprise | None, now=None
) -> ProgrammeEligibility:
    """The programme's rule set in plain words, and the enterprise's outcome condition by condition.

    The same rules_evaluate the match report uses, so the programme page and the report never
    disagree. A pending enterprise is told its outcome too: it is what it will be once verified.
    """
    evaluation = None
    if enterprise is not None:
        enterprise = Enterprise.objects.prefetch_related("tags", "yearly_figures").get(pk=enterprise.pk)
        evaluation = rules_evaluate(programme.eligibility_rules, facts_of(enterprise, now=now))
    return ProgrammeEligibility(rules_text=rules_render(programme.eligibility_rules), evaluation=evaluation)


@dataclass
class EnterpriseMatch:
    enterprise: Enterprise
    outcome: str
    evaluation: Evaluation | None  # each condition in words, when asked for


class ProgrammeMatches:
    """A programme's verified enterprises with some outcomes, for a Paginator.

    The database decides the outcomes (tenant_schema.eligibility.compiler), counts them and cuts the page;
    only the enterprises of the page are loaded, and with `explain` their conditions are
    put into words by tenant_schema.eligibility.rules (the same answer, by construction and by test).
    """

    def __init__(self, *, programme: Programme, outcomes, explain: bool, now):
        self.programme = programme
        self.outcomes = tuple(outcomes)
        self.explain = explain
        self.now = now
        self.counts = programme_outcome_counts(programme=programme, now=now)  # every outcome's, for tabs
        self._count = sum(self.counts[outcome] for outcome in self.outcomes)

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, window: slice) -> list[EnterpriseMatch]:
        if not isinstance(window, slice) or window.step not in (None, 1):
            raise TypeError("ProgrammeMatches is read a page (a slice) at a time")
        start, stop, _step = window.indices(self._count)
        if stop <= start:
            return []
        rows = compiler.outcome_page(
            self.programme.eligibility_rules,
            outcomes=self.outcomes,
            offset=start,
            limit=stop - start,
            now=self.now,
        )
        ids = [pk for pk, _outcome in rows]
        enterprises = (
            enterprises_for_matching() if self.explain else Enterprise.objects.only("pk", "name")
        ).in_bulk(ids)
        rules = rules_validate(self.programme.eligibility_rules) if self.explain else None
        return [
            EnterpriseMatch(
                enterprise=enterprises[pk],
                outcome=outcome,
                evaluation=rules_evaluate_validated(rules, facts_of(enterprises[pk], now=self.now))
                if self.explain
                else None,
            )
            for pk, outcome in rows
            if pk in enterprises  # gone since the page was cut
        ]


def programme_outcome_counts(*, programme: Programme, now=None) -> dict[str, int]:
    """{outcome: number of verified enterprises} for one programme, counted by the database."""
    return compiler.outcome_counts({programme.pk: programme.eligibility_rules}, now=now)[programme.pk]


def programme_matches(
    *, programme: Programme, outcomes=(QUALIFIES,), explain: bool = False, now=None
) -> ProgrammeMatches:
    """The verified enterprises with these outcomes, qualifying first then by name: slice it for a page.

    Counted at once (`.counts` has every outcome's number); a slice reads one page.
    """
    return ProgrammeMatches(
        programme=programme, outcomes=outcomes, explain=explain, now=now or timezone.now()
    )


def programme_qualifying_ids(*, programme: Programme, now=None) -> list[int]:
    """Ids of the verified enterprises that qualify, decided by the database in one statement."""
    return compiler.qualifying_ids(programme.eligibility_rules, now=now)


def programmes_qualifying_ids(*, programmes, now=None) -> dict[int, list[int]]:
    """{programme id: ids of the verified enterprises that qualify}, one scan of the park for all."""
    return compiler.qualifying_ids_by_key({p.pk: p.eligibility_rules for p in programmes}, now=now)


def programmes_outcome_counts(*, programmes, now=None) -> dict[int, dict[str, int]]:
    """{programme id: {outcome: number of verified enterprises}}, one scan of the park for all."""
    return compiler.outcome_counts({p.pk: p.eligibility_rules for p in programmes}, now=now)


def programme_pushed_ids(*, programme: Programme, among=None) -> set[int]:
    """Enterprises already told about the programme (only those `among` these ids, if given)."""
    deliveries = PushDelivery.objects.filter(programme=programme)
    if among is not None:
        deliveries = deliveries.filter(enterprise_id__in=among)
    return set(deliveries.values_list("enterprise_id", flat=True))


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
