"""The figures the hub computes, as SQL over one tenant schema each.

Every figure is written once, for one schema (`{schema}` is replaced by the quoted
schema name). public_schema.hub.selectors joins one such branch per tenant from the registry with
UNION ALL and aggregates the lot in the same statement, per tenant and city-wide
(GROUPING SETS), so PostgreSQL does the work in one round trip whatever the number of
tenants.

Adding a figure from another app is one `ScalarFigure` in SCALAR_FIGURES: its key,
label, the tables it reads (a schema without them contributes NULL, so a tenant that
has not migrated the app yet does not break the dashboard) and a scalar subquery.
Parameters available to every subquery: %(start)s and %(end)s (timestamptz, the date
range as [start, end)), %(start_date)s and %(end_date)s (dates, inclusive) and %(now)s.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

COUNT, MONEY, RATE, DAYS = "count", "money", "rate", "days"


@dataclass(frozen=True)
class ScalarFigure:
    key: str
    label: object
    tables: tuple[str, ...]
    sql: str
    unit: str = COUNT


SCALAR_FIGURES: list[ScalarFigure] = [
    ScalarFigure(
        "enterprises", _("Enterprises"), ("enterprises_enterprise",),
        "SELECT count(*) FROM {schema}.enterprises_enterprise WHERE created_at < %(end)s",
    ),
    ScalarFigure(
        "enterprises_verified", _("Verified enterprises"), ("enterprises_enterprise",),
        "SELECT count(*) FROM {schema}.enterprises_enterprise WHERE created_at < %(end)s AND status = 'verified'",
    ),
    ScalarFigure(
        "enterprises_above_size", _("Above designated size"), ("enterprises_enterprise",),
        "SELECT count(*) FROM {schema}.enterprises_enterprise WHERE created_at < %(end)s AND above_designated_size",
    ),
    ScalarFigure(
        "applications", _("Applications submitted"), ("applications_application",),
        "SELECT count(*) FROM {schema}.applications_application"
        " WHERE submitted_at >= %(start)s AND submitted_at < %(end)s",
    ),
    ScalarFigure(
        "overdue_now", _("Overdue now"), ("applications_application",),
        "SELECT count(*) FROM {schema}.applications_application"
        " WHERE status IN ('in_review', 'approved') AND stage_due_at < %(now)s",
    ),
    ScalarFigure(
        "funds_budgeted", _("Funds budgeted"), ("funding_programme",),
        "SELECT coalesce(sum(budget), 0) FROM {schema}.funding_programme"
        " WHERE status <> 'draft' AND opens_at < %(end)s AND closes_at >= %(start)s",
        MONEY,
    ),
    ScalarFigure(
        "funds_disbursed", _("Funds disbursed"), ("applications_application",),
        "SELECT coalesce(sum(disbursed_amount), 0) FROM {schema}.applications_application"
        " WHERE status = 'disbursed' AND disbursed_on BETWEEN %(start_date)s AND %(end_date)s",
        MONEY,
    ),
    ScalarFigure(
        "subscriptions_active", _("Active subscriptions"), ("billing_subscription",),
        "SELECT count(*) FROM {schema}.billing_subscription"
        " WHERE status = 'active' AND starts_at <= %(now)s AND ends_at > %(now)s",
    ),
    ScalarFigure(
        "revenue", _("Service revenue"), ("billing_payment",),
        "SELECT coalesce(sum(amount), 0) FROM {schema}.billing_payment"
        " WHERE status = 'succeeded' AND confirmed_at >= %(start)s AND confirmed_at < %(end)s",
        MONEY,
    ),
]

# Decisions in the range: approvals, rejections, approved funds, and the days of first
# submission and of decision (Shanghai). Working days between them come from the hub's
# working-day calendar, joined once to the union of all branches (public_schema.hub.selectors), not
# once per schema. Branch columns: approved, amount, submitted_on, decided_on.
DECISIONS_TABLES = ("applications_application",)
DECISIONS_BRANCH = """
SELECT a.status <> 'rejected' AS approved, a.approved_amount AS amount,
       (a.submitted_at AT TIME ZONE 'Asia/Shanghai')::date AS submitted_on,
       (a.decided_at AT TIME ZONE 'Asia/Shanghai')::date AS decided_on
FROM {schema}.applications_application a
WHERE a.decided_at >= %(start)s AND a.decided_at < %(end)s AND a.status IN ('approved', 'disbursed', 'rejected')
"""
DECISIONS_DAYS = """
SELECT u.*, we.ordinal - ws.ordinal AS days FROM ({union}) u
LEFT JOIN public.hub_workingday ws ON ws.day = u.submitted_on
LEFT JOIN public.hub_workingday we ON we.day = u.decided_on
"""

# Submitted applications by their status and the stage that holds them now.
STATUS_TABLES = ("applications_application", "funding_stage")
STATUS_BRANCH = """
SELECT a.status, coalesce(st.name, '') AS stage, min(st.position) AS position, count(*) AS n
FROM {schema}.applications_application a
LEFT JOIN {schema}.funding_stage st ON st.id = a.current_stage_id
WHERE a.submitted_at >= %(start)s AND a.submitted_at < %(end)s
GROUP BY a.status, st.name
"""

# Stage deadlines kept, from the history: an event that gives a due date enters a stage
# (submission, passing on, approval into the notice); the application's next event
# leaves it (passed on, returned, approved, rejected, withdrawn, disbursed). A stage left
# in the range counts; left by its due time, it was on time.
TIMELINESS_TABLES = ("applications_applicationevent", "funding_stage")
TIMELINESS_BRANCH = """
SELECT st.name AS stage, min(st.position) AS position, count(*) AS exits, count(*) FILTER (WHERE e.left_at <= e.due_at) AS on_time
FROM (
  SELECT to_stage_id, due_at,
         lead(created_at) OVER (PARTITION BY application_id ORDER BY created_at, id) AS left_at
  FROM {schema}.applications_applicationevent
) e
JOIN {schema}.funding_stage st ON st.id = e.to_stage_id
WHERE e.due_at IS NOT NULL AND e.left_at >= %(start)s AND e.left_at < %(end)s
GROUP BY st.name
"""

# Demands filed in the range (the cohort tenant_schema.demands.selectors counts), aggregated per tenant
# with tenant_schema.demands.selectors.FIGURES_COLUMNS (received, resolved, replies and answers due and
# on time, ratings): the same definitions as the park's own figures page.
DEMANDS_TABLES = ("demands_demand",)
DEMANDS_BRANCH = """
SELECT status, closed_without_rating, first_reply_due_at, first_replied_at, resolution_due_at, answered_at, rating
FROM {schema}.demands_demand WHERE created_at >= %(start)s AND created_at < %(end)s
"""
