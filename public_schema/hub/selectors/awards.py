"""The hub's list of duplicate awards (the register itself: public_schema.hub.awards)."""

from __future__ import annotations

from public_schema.tenants.models import Tenant

from ..awards import DUPLICATE_WINDOW
from ..models import AwardRecord
from .schemas import _fetch
from .tenants import HubFilters


def duplicate_award_list(*, filters: HubFilters | None = None) -> list[dict]:
    """Enterprises awarded by more than one sub-platform for the same category within 12 months,
    and enterprises with a recovery (追回) open on an award (`open_recoveries` > 0).

    One row per (credit code, category), listing the sub-platforms and amounts of the
    awards that have a counterpart in another sub-platform less than 12 months apart.
    The date range, if any, selects by the later award's date.
    """
    params = (filters or HubFilters()).bounds()
    sql = f"""
WITH flagged AS (
  SELECT a.* FROM {AwardRecord._meta.db_table} a
  WHERE a.recovery_open OR EXISTS (
    SELECT 1 FROM {AwardRecord._meta.db_table} b
    WHERE b.credit_code = a.credit_code AND b.category = a.category AND b.tenant_id <> a.tenant_id
      AND b.approved_at > a.approved_at - %(window)s AND b.approved_at < a.approved_at + %(window)s
  )
)
SELECT f.credit_code, f.category, max(f.enterprise_name) AS enterprise_name,
       count(DISTINCT f.tenant_id) AS tenants, count(*) AS awards, sum(f.amount) AS amount,
       string_agg(DISTINCT t.name, ' / ') AS tenant_names, max(f.approved_at) AS latest,
       count(*) FILTER (WHERE f.recovery_open) AS open_recoveries
FROM flagged f JOIN {Tenant._meta.db_table} t ON t.id = f.tenant_id
WHERE f.approved_at >= %(start)s AND f.approved_at < %(end)s
GROUP BY f.credit_code, f.category
HAVING count(DISTINCT f.tenant_id) > 1 OR bool_or(f.recovery_open)
ORDER BY latest DESC, f.credit_code"""
    return _fetch(sql, {**params, "window": DUPLICATE_WINDOW})
