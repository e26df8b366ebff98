"""Every figure of a park, defined once: the hub's live page and rollups and each park's own dashboard use these.

Defined here, beside the tenant apps whose tables and status choices they read, so that a
park's dashboard (tenant_schema.enterprises.dashboard) and the hub (through its figure
layer, public_schema.hub.figures, which re-exports this module) count the same rows the
same way; tenant apps may not import the hub (the import-linter contracts of
pyproject.toml). SQL is written over one tenant schema: `{schema}` is replaced by the
quoted schema name, tables come from the models' `_meta.db_table`, statuses from their choices.

Kinds of figure, each with its two uses side by side:

- `Figure`: a value added up over the rows of one table, each row placed in time by one
  column (an application on the day it was submitted). Live (public_schema.hub.selectors.live): a
  scalar subquery over the date range, one branch per tenant schema. Rollup
  (public_schema.hub.rollups): the same rows summed per Shanghai day into hub_rollupday, which the
  dashboard sums over the range (public_schema.hub.selectors.rollup).
- `Deadline`: rows whose deadline is still open, counted once it has passed, at the
  moment the page is read (overdue work). Live: count(deadline < now); rollup: the sorted
  deadlines, counted at read time by width_bucket.
- `ACTIVE_SUBSCRIPTIONS`, `FUNDS_BUDGETED`: a period (start, end) that contains now or
  overlaps the range.
- `decisions_sql`, `status_sql`, `timeliness_sql`: time to decision, applications by
  status and stage, stage deadlines kept; one function each, filtered by the range
  (live) or grouped by day (rollup).

Parameters available to the live SQL: %(start)s and %(end)s (timestamptz, the range as
[start, end)), %(start_date)s and %(end_date)s (dates, inclusive) and %(now)s. A schema
without a figure's tables contributes nothing (a tenant that has not migrated an app yet
does not break the dashboard).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tenant_schema.applications.models import Application, ApplicationEvent
from tenant_schema.billing.models import Payment, Subscription
from tenant_schema.demands.models import Demand, Rating
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.funding.models import Programme, Stage

COUNT, MONEY, RATE, DAYS = "count", "money", "rate", "days"

A, D = Application.Status, Demand.Status


def table(model) -> str:
    return model._meta.db_table


def one_of(*values) -> str:
    """An SQL list of choice values, e.g. ('approved', 'disbursed')."""
    return "(" + ", ".join("'" + str(value).replace("'", "''") + "'" for value in values) + ")"


def shanghai_day(column: str) -> str:
    return f"({column} AT TIME ZONE 'Asia/Shanghai')::date"


DECIDED = one_of(A.APPROVED, A.DISBURSED, A.REJECTED)
APPROVED_OR_PAID = one_of(A.APPROVED, A.DISBURSED)
DEMAND_ANSWERED = one_of(D.ANSWERED, D.CLOSED)
# Applications by their status now: every status but a draft (the dashboard shows no drafts).
APPLICATION_STATUSES = [choice for choice in A.choices if choice[0] != A.DRAFT]
# Held at a stage now: in review, or approved and on notice / awaiting payment.
HELD_AT_A_STAGE = (A.IN_REVIEW, A.APPROVED)


@dataclass(frozen=True)
class Figure:
    """`value` added up over the rows of `model` that match `where`, each on the day of `when`.

    `on_date`: `when` is a date column (Shanghai), not a timestamp. `to_date`: counted up to
    the end of the range (enterprises registered by then), not within it; the rollup keeps
    running totals for those (`<key>_to_date`).
    """

    key: str
    label: object
    model: type
    when: str
    where: str = "TRUE"
    value: str = "1"
    unit: str = COUNT
    on_date: bool = False
    to_date: bool = False

    @property
    def tables(self) -> tuple[str, ...]:
        return (table(self.model),)

    def in_range(self) -> str:
        if self.on_date:
            return f"{self.when} BETWEEN %(start_date)s AND %(end_date)s"
        if self.to_date:
            return f"{self.when} < %(end)s"
        return f"{self.when} >= %(start)s AND {self.when} < %(end)s"

    @property
    def sql(self) -> str:
        """Live: the figure over the range in one tenant schema (a scalar subquery)."""
        total = "count(*)" if self.value == "1" else f"coalesce(sum({self.value}), 0)"
        return (
            f"SELECT {total} FROM {{schema}}.{table(self.model)} WHERE ({self.where}) AND {self.in_range()}"
        )

    @property
    def day(self) -> str:
        return self.when if self.on_date else shanghai_day(self.when)

    @property
    def per_row(self) -> str:
        """Rollup: the row's contribution on its day."""
        return self.value if self.where == "TRUE" else f"CASE WHEN {self.where} THEN {self.value} ELSE 0 END"


ENTERPRISES = Figure("enterprises", _("Enterprises"), Enterprise, "created_at", to_date=True)
ENTERPRISES_VERIFIED = Figure(
    "enterprises_verified",
    _("Verified enterprises"),
    Enterprise,
    "created_at",
    f"status = '{Enterprise.Status.VERIFIED}'",
    to_date=True,
)
ENTERPRISES_ABOVE_SIZE = Figure(
    "enterprises_above_size",
    _("Above designated size"),
    Enterprise,
    "created_at",
    "above_designated_size",
    to_date=True,
)
APPLICATIONS = Figure("applications", _("Applications submitted"), Application, "submitted_at")
# Decisions in the range: approved (and perhaps paid since) or rejected, on the day of decision.
APPROVALS = Figure("approvals", _("Approved"), Application, "decided_at", f"status IN {APPROVED_OR_PAID}")
REJECTIONS = Figure("rejections", _("Rejected"), Application, "decided_at", f"status = '{A.REJECTED}'")
FUNDS_APPROVED = Figure(
    "funds_approved",
    _("Funds approved"),
    Application,
    "decided_at",
    f"status IN {APPROVED_OR_PAID}",
    "coalesce(approved_amount, 0)",
    MONEY,
)
FUNDS_DISBURSED = Figure(
    "funds_disbursed",
    _("Funds disbursed"),
    Application,
    "disbursed_on",
    f"status = '{A.DISBURSED}'",
    "coalesce(disbursed_amount, 0)",
    MONEY,
    on_date=True,
)
REVENUE = Figure(
    "revenue",
    _("Service revenue"),
    Payment,
    "confirmed_at",
    f"status = '{Payment.Status.SUCCEEDED}'",
    "amount",
    MONEY,
)
# Demands filed in the range (the cohort the park's own figures page counts, tenant_schema.demands.selectors).
# "replied" and "answered" are the deadlines already met or missed for good; with the open
# deadlines passed by now (DEMAND_DEADLINES) they are the replies and answers due.
DEMAND_FIGURES = [
    Figure("demands_received", _("Demands received"), Demand, "created_at"),
    Figure("demands_resolved", _("Demands resolved"), Demand, "created_at", f"status = '{D.CLOSED}'"),
    Figure(
        "demands_replied",
        "",
        Demand,
        "created_at",
        "first_reply_due_at IS NOT NULL AND first_replied_at IS NOT NULL",
    ),
    Figure(
        "demands_replied_on_time",
        _("Replied on time"),
        Demand,
        "created_at",
        "first_replied_at <= first_reply_due_at",
    ),
    Figure(
        "demands_answered",
        "",
        Demand,
        "created_at",
        f"resolution_due_at IS NOT NULL AND status IN {DEMAND_ANSWERED}",
    ),
    Figure(
        "demands_resolved_on_time",
        _("Answered on time"),
        Demand,
        "created_at",
        f"status IN {DEMAND_ANSWERED} AND answered_at <= resolution_due_at",
    ),
    Figure("demands_rated", _("Rated"), Demand, "created_at", "rating <> ''"),
    Figure(
        "demands_satisfied",
        _("Satisfied"),
        Demand,
        "created_at",
        f"rating IN {one_of(Rating.SATISFIED, Rating.BASICALLY_SATISFIED)}",
    ),
]
DAY_FIGURES: list[Figure] = [
    ENTERPRISES,
    ENTERPRISES_VERIFIED,
    ENTERPRISES_ABOVE_SIZE,
    APPLICATIONS,
    APPROVALS,
    REJECTIONS,
    FUNDS_APPROVED,
    FUNDS_DISBURSED,
    REVENUE,
    *DEMAND_FIGURES,
]


@dataclass(frozen=True)
class Deadline:
    """Rows of `model` matching `where` whose `due` time is still open: counted once it has passed.

    `cohort`: the column placing a row in the date range (demands: filed), or None (every row).
    """

    key: str
    model: type
    due: str
    where: str
    cohort: str | None = None
    label: object = ""

    @property
    def rows(self) -> str:
        return f"{self.due} IS NOT NULL AND {self.where}"

    def sql(self) -> str:
        """Live: how many have passed at %(now)s, in one tenant schema (a scalar subquery)."""
        cohort = f" AND {self.cohort} >= %(start)s AND {self.cohort} < %(end)s" if self.cohort else ""
        return f"SELECT count(*) FROM {{schema}}.{table(self.model)} WHERE {self.rows} AND {self.due} < %(now)s{cohort}"

    def sorted_sql(self) -> str:
        """Rollup: the open deadlines, sorted (an aggregate expression over the table)."""
        return f"array_agg({self.due} ORDER BY {self.due}) FILTER (WHERE {self.rows})"


OVERDUE = Deadline(
    "overdue_now",
    Application,
    "stage_due_at",
    f"status IN {one_of(*HELD_AT_A_STAGE)}",
    label=_("Overdue now"),
)
DEMAND_REPLY_OPEN = Deadline(
    "demands_reply_passed", Demand, "first_reply_due_at", "first_replied_at IS NULL", cohort="created_at"
)
DEMAND_RESOLUTION_OPEN = Deadline(
    "demands_resolution_passed",
    Demand,
    "resolution_due_at",
    f"status NOT IN {DEMAND_ANSWERED}",
    cohort="created_at",
)
# Replies and answers due: the ones given (day figures) and the open deadlines passed by now.
DEMANDS_DUE = {
    "demands_reply_due": ("demands_replied", DEMAND_REPLY_OPEN),
    "demands_resolution_due": ("demands_answered", DEMAND_RESOLUTION_OPEN),
}


@dataclass(frozen=True)
class Period:
    """Rows of `model` matching `where` that span [starts, ends): active now, or overlapping the range."""

    key: str
    label: object
    model: type
    starts: str
    ends: str
    where: str
    value: str = "1"
    unit: str = COUNT

    @property
    def tables(self) -> tuple[str, ...]:
        return (table(self.model),)

    @property
    def rows(self) -> str:
        return f"{self.where} AND {self.starts} IS NOT NULL AND {self.ends} IS NOT NULL"


# Active subscriptions: started by now and not yet ended. The rollup keeps the sorted starts
# and ends; started minus ended by now is the number active (each ends after it starts).
ACTIVE_SUBSCRIPTIONS = Period(
    "subscriptions_active",
    _("Active subscriptions"),
    Subscription,
    "starts_at",
    "ends_at",
    f"status = '{Subscription.Status.ACTIVE}'",
)
ACTIVE_NOW = "{starts} <= %(now)s AND {ends} > %(now)s"
# Funds budgeted: programmes open at some time in the range (their budget, once each).
FUNDS_BUDGETED = Period(
    "funds_budgeted",
    _("Funds budgeted"),
    Programme,
    "opens_at",
    "closes_at",
    f"status <> '{Programme.Status.DRAFT}'",
    "budget",
    MONEY,
)
OVERLAPS_RANGE = "{starts} < %(end)s AND {ends} >= %(start)s"


@dataclass(frozen=True)
class ScalarFigure:
    """A figure the live path computes as one scalar subquery per tenant schema."""

    key: str
    label: object
    tables: tuple[str, ...]
    sql: str
    unit: str = COUNT


def _scalar_figures() -> list[ScalarFigure]:
    scalars = [
        ScalarFigure(figure.key, figure.label, figure.tables, figure.sql, figure.unit)
        for figure in DAY_FIGURES
    ]
    scalars += [
        ScalarFigure(deadline.key, deadline.label, (table(deadline.model),), deadline.sql())
        for deadline in (OVERDUE, DEMAND_REPLY_OPEN, DEMAND_RESOLUTION_OPEN)
    ]
    scalars.append(
        ScalarFigure(
            ACTIVE_SUBSCRIPTIONS.key,
            ACTIVE_SUBSCRIPTIONS.label,
            ACTIVE_SUBSCRIPTIONS.tables,
            f"SELECT count(*) FROM {{schema}}.{table(Subscription)} WHERE {ACTIVE_SUBSCRIPTIONS.rows} AND "
            + ACTIVE_NOW.format(starts=ACTIVE_SUBSCRIPTIONS.starts, ends=ACTIVE_SUBSCRIPTIONS.ends),
        )
    )
    scalars.append(
        ScalarFigure(
            FUNDS_BUDGETED.key,
            FUNDS_BUDGETED.label,
            FUNDS_BUDGETED.tables,
            f"SELECT coalesce(sum({FUNDS_BUDGETED.value}), 0) FROM {{schema}}.{table(Programme)}"
            f" WHERE {FUNDS_BUDGETED.rows} AND "
            + OVERLAPS_RANGE.format(starts=FUNDS_BUDGETED.starts, ends=FUNDS_BUDGETED.ends),
            MONEY,
        )
    )
    return scalars


# Live: every figure that is one number per tenant schema. The working figures (not shown
# on their own) are computed too and combined by public_schema.hub.selectors (DEMANDS_DUE).
SCALAR_FIGURES: list[ScalarFigure] = _scalar_figures()
WORKING_KEYS = {"demands_replied", "demands_answered", DEMAND_REPLY_OPEN.key, DEMAND_RESOLUTION_OPEN.key}
SHOWN_SCALARS = [figure for figure in SCALAR_FIGURES if figure.key not in WORKING_KEYS]


# Time to decision: working days from submission to decision, from the hub's working-day
# calendar (public.hub_workingday: ordinal(end) - ordinal(start)).
DECISIONS_TABLES = (table(Application),)


def decisions_sql(*, by_day: bool) -> str:
    """Decided applications: live, those decided in the range (columns submitted_on, decided_on);
    rollup (`by_day`), the number per day of decision and working days (day, days, n)."""
    decided = f"a.decided_at IS NOT NULL AND a.status IN {DECIDED}"
    if not by_day:
        return f"""
SELECT {shanghai_day("a.submitted_at")} AS submitted_on, {shanghai_day("a.decided_at")} AS decided_on
FROM {{schema}}.{table(Application)} a
WHERE {decided} AND a.decided_at >= %(start)s AND a.decided_at < %(end)s
"""
    return f"""
SELECT {shanghai_day("a.decided_at")} AS day, we.ordinal - ws.ordinal AS days, count(*) AS n
FROM {{schema}}.{table(Application)} a
JOIN public.hub_workingday ws ON ws.day = {shanghai_day("a.submitted_at")}
JOIN public.hub_workingday we ON we.day = {shanghai_day("a.decided_at")}
WHERE {decided}
GROUP BY 1, 2"""


DECISIONS_BRANCH = decisions_sql(by_day=False)
DECISIONS_DAYS = """
SELECT u.*, we.ordinal - ws.ordinal AS days FROM ({union}) u
LEFT JOIN public.hub_workingday ws ON ws.day = u.submitted_on
LEFT JOIN public.hub_workingday we ON we.day = u.decided_on
"""

# Submitted applications by their status and the stage that holds them now.
STATUS_TABLES = (table(Application), table(Stage))


def status_sql(*, by_day: bool) -> str:
    """Live: submitted in the range (status, stage, position, n); rollup: per day of submission too."""
    day = f"{shanghai_day('a.submitted_at')} AS day, " if by_day else ""
    where = (
        "a.submitted_at IS NOT NULL" if by_day else "a.submitted_at >= %(start)s AND a.submitted_at < %(end)s"
    )
    return f"""
SELECT {day}a.status, coalesce(st.name, '') AS stage, min(st.position) AS position, count(*) AS n
FROM {{schema}}.{table(Application)} a
LEFT JOIN {{schema}}.{table(Stage)} st ON st.id = a.current_stage_id
WHERE {where}
GROUP BY {"1, " if by_day else ""}a.status, st.name
"""


STATUS_BRANCH = status_sql(by_day=False)
STATUS_COLUMNS = [f"status_{value}" for value, _label in APPLICATION_STATUSES]

# Stage deadlines kept, from the history: an event that gives a due date enters a stage
# (submission, passing on, approval into the notice); the application's next event
# leaves it (passed on, returned, approved, rejected, withdrawn, disbursed). A stage left
# in the range counts; left by its due time, it was on time.
TIMELINESS_TABLES = (table(ApplicationEvent), table(Stage))
STAGE_COLUMNS = ["stage_exits", "stage_exits_on_time"]


def timeliness_sql(*, by_day: bool) -> str:
    """Live: stages left in the range (stage, position, exits, on_time); rollup: per day left too."""
    day = f"{shanghai_day('e.left_at')} AS day, " if by_day else ""
    left = "e.left_at IS NOT NULL" if by_day else "e.left_at >= %(start)s AND e.left_at < %(end)s"
    return f"""
SELECT {day}st.name AS stage, min(st.position) AS position, count(*) AS exits,
       count(*) FILTER (WHERE e.left_at <= e.due_at) AS on_time
FROM (
  SELECT to_stage_id, due_at,
         lead(created_at) OVER (PARTITION BY application_id ORDER BY created_at, id) AS left_at
  FROM {{schema}}.{table(ApplicationEvent)}
) e
JOIN {{schema}}.{table(Stage)} st ON st.id = e.to_stage_id
WHERE e.due_at IS NOT NULL AND {left}
GROUP BY {"1, " if by_day else ""}st.name
"""


TIMELINESS_BRANCH = timeliness_sql(by_day=False)


def tables_read() -> set[str]:
    """Every tenant table a hub figure reads: a committed change to one of them refreshes the rollups."""
    return {
        *(name for figure in SCALAR_FIGURES for name in figure.tables),
        *DECISIONS_TABLES,
        *STATUS_TABLES,
        *TIMELINESS_TABLES,
        *programme_tables_read(),
    }


# ---------------------------------------------------------------------------
# Per programme (issue 18): applications, awarded, committed, paid, recovered, and the
# average working days each stage took. As now, for every programme that is not a draft.
# The park's own count of a programme's money (tenant_schema.awards.selectors.programme_money)
# runs this same statement for one programme.
# ---------------------------------------------------------------------------

from tenant_schema.awards.models import Award, Recovery, Repayment, Tranche  # noqa: E402

PROGRAMME_FIGURE_KEYS = ["applications", "awarded", "committed", "paid", "recovered"]
PROGRAMME_FIGURE_UNITS = {
    "applications": COUNT,
    "awarded": COUNT,
    "committed": MONEY,
    "paid": MONEY,
    "recovered": MONEY,
}
PROGRAMME_TABLES = tuple(
    table(model) for model in (Programme, Application, Award, Tranche, Recovery, Repayment)
)
PROGRAMME_FIGURES_SQL = f"""
SELECT p.id AS programme_id, p.title, p.category, p.budget,
       coalesce(a.applications, 0) AS applications, coalesce(a.awarded, 0) AS awarded,
       coalesce(a.committed, 0) AS committed,
       coalesce(t.paid, 0) + coalesce(a.paid_single, 0) AS paid, coalesce(r.recovered, 0) AS recovered
FROM {{schema}}.{table(Programme)} p
LEFT JOIN LATERAL (
  SELECT count(*) FILTER (WHERE x.submitted_at IS NOT NULL) AS applications,
         count(*) FILTER (WHERE x.status IN {APPROVED_OR_PAID}) AS awarded,
         sum(x.approved_amount) FILTER (WHERE x.status IN {APPROVED_OR_PAID}) AS committed,
         -- an award paid in one go, without a payment plan in tranches
         sum(x.disbursed_amount) FILTER (WHERE x.status IN {APPROVED_OR_PAID} AND NOT EXISTS (
           SELECT 1 FROM {{schema}}.{table(Award)} w WHERE w.application_id = x.id)) AS paid_single
  FROM {{schema}}.{table(Application)} x WHERE x.programme_id = p.id
) a ON TRUE
LEFT JOIN LATERAL (
  SELECT sum(tr.amount) AS paid FROM {{schema}}.{table(Tranche)} tr
  JOIN {{schema}}.{table(Award)} w ON w.id = tr.award_id
  JOIN {{schema}}.{table(Application)} x ON x.id = w.application_id
  WHERE x.programme_id = p.id AND tr.status = '{Tranche.Status.PAID}'
) t ON TRUE
LEFT JOIN LATERAL (
  SELECT sum(rp.amount) AS recovered FROM {{schema}}.{table(Repayment)} rp
  JOIN {{schema}}.{table(Recovery)} rc ON rc.id = rp.recovery_id
  JOIN {{schema}}.{table(Award)} w ON w.id = rc.award_id
  JOIN {{schema}}.{table(Application)} x ON x.id = w.application_id
  WHERE x.programme_id = p.id
) r ON TRUE
WHERE p.status <> '{Programme.Status.DRAFT}'"""

# A stage is entered by an event that sets a due date and left by the application's next
# event (as in timeliness_sql); its length in working days from the hub's calendar.
PROGRAMME_STAGE_TABLES = (table(Application), table(ApplicationEvent), table(Stage))
PROGRAMME_STAGE_SQL = f"""
SELECT st.programme_id, st.name AS stage, min(st.position) AS position, count(*) AS exits,
       sum(we.ordinal - ws.ordinal) AS days_total
FROM (
  SELECT to_stage_id, due_at, created_at AS entered_at,
         lead(created_at) OVER (PARTITION BY application_id ORDER BY created_at, id) AS left_at
  FROM {{schema}}.{table(ApplicationEvent)}
) e
JOIN {{schema}}.{table(Stage)} st ON st.id = e.to_stage_id
JOIN public.hub_workingday ws ON ws.day = {shanghai_day("e.entered_at")}
JOIN public.hub_workingday we ON we.day = {shanghai_day("e.left_at")}
WHERE e.due_at IS NOT NULL AND e.left_at IS NOT NULL
GROUP BY st.programme_id, st.name"""


def programme_tables_read() -> set[str]:
    return {*PROGRAMME_TABLES, *PROGRAMME_STAGE_TABLES}
