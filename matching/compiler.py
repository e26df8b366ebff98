"""Eligibility rules compiled to SQL: the database decides qualifies / does not qualify / cannot tell.

Each validated condition becomes a boolean SQL expression that is TRUE when the condition is
met, FALSE when it is not and NULL when the enterprise's data it reads is missing — the
three answers of `rules.condition_evaluate`, case for case. SQL's AND and OR treat NULL as
Kleene's strong logic does, which is exactly `rules.combine`: "all" is the AND of the
conditions, "any" their OR, and the rule set's expression is TRUE, FALSE or NULL for
qualifies, does not qualify or cannot tell. So the database gives the same answer as
Python, for every enterprise of the park in one scan, and Python is left to put the
conditions into words for the few rows a person reads.

Where Python's answer hangs on arithmetic, the SQL reproduces that arithmetic rather than
an approximation of it:

- the R&D share is `YearlyFigures.rd_share_of_revenue`: R&D spend / revenue × 100 rounded
  half-even to 0.01 (Decimal's default), missing when revenue is 0 or either is missing.
  Python divides to 28 significant digits first; with figures of at most 16 digits that
  rounding can never move a value across a rounding tie (it would need R&D spend ≥ 10²³
  cents), so the exact rational rounded half-even, done here in integer numerics, is equal;
- months registered are `rules.months_between(created_at, now)`: calendar months on the
  UTC date of `created_at` (Django reads timestamps back in UTC) against `now`'s own date,
  one less when the day of the month has not come round yet, never below 0, and 0 when
  the registration time is missing.

Raw SQL, because the ORM cannot say "LEFT JOIN the figures of 2025 once" nor keep NULL as a
third answer through AND / OR. Table names come from the models; every value is a
parameter. The tenant's schema is the connection's search_path, set by django-tenants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from enterprises.models import Enterprise, Tag, YearlyFigures

from .rules import ALL, CANNOT_TELL, DOES_NOT_QUALIFY, FIELDS, FIGURE_FIELDS, QUALIFIES, rules_validate

COMPARISON = {"eq": "=", "ne": "<>", "gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}
OUTCOMES = (QUALIFIES, CANNOT_TELL, DOES_NOT_QUALIFY)  # the order a park reads them in
# PostgreSQL allows 1,664 columns in a result; two aggregates per programme stay far below it.
PROGRAMMES_PER_STATEMENT = 200


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass
class Sql:
    text: str
    params: list = field(default_factory=list)


class MatchQuery:
    """Rule sets compiled against one scan of the park's verified enterprises.

    Compile every rule set first (`rules_sql`), then read `from_sql`: it joins the yearly
    figures once for each year any of the compiled rules reads, so one statement can decide
    many programmes.
    """

    def __init__(self, *, now=None):
        self.now = now or timezone.now()
        self._years: dict[int, str] = {}  # year -> alias of its figures

    # -- compiling -----------------------------------------------------------------------------

    def rules_sql(self, rules) -> Sql:
        """The rule set as one boolean expression: TRUE qualifies, FALSE does not, NULL cannot tell."""
        rules = rules_validate(rules)
        parts = [self._condition_sql(condition) for condition in rules["conditions"]]
        if not parts:
            return Sql("TRUE")
        joiner = " AND " if rules["combine"] == ALL else " OR "
        return Sql(
            "(" + joiner.join(f"({part.text})" for part in parts) + ")",
            [param for part in parts for param in part.params],
        )

    def _figures_alias(self, year: int) -> str:
        return self._years.setdefault(int(year), f"figures_{int(year)}")

    def _condition_sql(self, condition: dict) -> Sql:
        name, op, value = condition["field"], condition["op"], condition["value"]
        kind = FIELDS[name][0]
        if kind == "bool":
            return Sql(f"e.{name} {COMPARISON[op]} %s::boolean", [value])
        if kind == "choice":
            column = f"NULLIF(e.{name}, '')"  # a blank choice is missing data, not a mismatch
            if op in ("eq", "ne"):
                return Sql(f"{column} {COMPARISON[op]} %s::text", [value])
            return Sql(f"{column} {'= ANY' if op == 'in' else '<> ALL'}(%s::text[])", [list(value)])
        if kind == "tags":
            # Every enterprise's tags are known (perhaps none): never NULL. Uncorrelated, so
            # PostgreSQL hashes the tagged ids once for the whole scan.
            names = [value] if op == "has_tag" else list(value)
            tagged = Sql(
                f"e.id IN (SELECT et.enterprise_id FROM {_table(Enterprise.tags.through)} et "
                f"JOIN {_table(Tag)} t ON t.id = et.tag_id WHERE t.name = ANY(%s::text[]))",
                [names],
            )
            return Sql(f"NOT ({tagged.text})", tagged.params) if op == "not_in" else tagged
        expected = Decimal(str(value))
        if name == "employees":
            column = "e.employees"
        elif name == "registered_months":
            column = self._registered_months_sql()
        elif name == "rd_share":
            column = f"{self._figures_alias(condition['year'])}.rd_share_hundredths"
            expected *= 100
        else:
            assert name in FIGURE_FIELDS, name
            column = f"{self._figures_alias(condition['year'])}.{name}"
        return Sql(f"{column} {COMPARISON[op]} %s::numeric", [expected])

    def _registered_months_sql(self) -> str:
        # The year, month and day of `now` go in as literals: they are integers of our own.
        registered = "(e.created_at AT TIME ZONE 'UTC')"
        months = (
            f"({self.now.year} - EXTRACT(YEAR FROM {registered})) * 12"
            f" + {self.now.month} - EXTRACT(MONTH FROM {registered})"
            f" - CASE WHEN {self.now.day} < EXTRACT(DAY FROM {registered}) THEN 1 ELSE 0 END"
        )
        return f"COALESCE(GREATEST({months}, 0), 0)"

    # -- the scan ------------------------------------------------------------------------------

    def from_sql(self) -> Sql:
        """FROM the verified enterprises, with each year's figures the rules read LEFT JOINed once."""
        text = f"FROM {_table(Enterprise)} e"
        params: list = []
        for year, alias in sorted(self._years.items()):
            text += f" LEFT JOIN ({_figures_of_year_sql()}) {alias} ON {alias}.enterprise_id = e.id"
            params.append(year)
        text += " WHERE e.status = %s"
        params.append(Enterprise.Status.VERIFIED)
        return Sql(text, params)


def _figures_of_year_sql() -> str:
    """One year's figures per enterprise, with the R&D share in hundredths of a percent.

    `rd_share_hundredths` = round-half-even(|R&D| × 10000 / |revenue|) with the sign of their
    quotient, in exact integer numerics (div and mod of numeric never round), NULL when the
    revenue is 0 or missing or the R&D spend is missing: `YearlyFigures.rd_share_of_revenue` × 100.
    """
    figures = _table(YearlyFigures)
    return (
        "SELECT enterprise_id, revenue, tax_paid, rd_spend, output_value, "
        "sign_ * CASE WHEN 2 * remainder_ > divisor_ OR (2 * remainder_ = divisor_ AND mod(quotient_, 2) = 1) "
        "THEN quotient_ + 1 ELSE quotient_ END AS rd_share_hundredths "
        "FROM (SELECT f.*, "
        "div(abs(f.rd_spend) * 10000, abs(NULLIF(f.revenue, 0))) AS quotient_, "
        "mod(abs(f.rd_spend) * 10000, abs(NULLIF(f.revenue, 0))) AS remainder_, "
        "abs(NULLIF(f.revenue, 0)) AS divisor_, "
        "sign(f.rd_spend) * sign(f.revenue) AS sign_ "
        f"FROM {figures} f WHERE f.year = %s) AS parts_"
    )


def _outcome_sql(expression: Sql) -> Sql:
    # The simple CASE evaluates the rule set once; NULL matches neither branch.
    return Sql(
        f"CASE {expression.text} WHEN TRUE THEN %s WHEN FALSE THEN %s ELSE %s END",
        [*expression.params, QUALIFIES, DOES_NOT_QUALIFY, CANNOT_TELL],
    )


def _fetchall(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------


def qualifying_ids(rules, *, now=None) -> list[int]:
    """Ids of the verified enterprises that qualify (by id), in one statement."""
    query = MatchQuery(now=now)
    expression = query.rules_sql(rules)
    scan = query.from_sql()
    rows = _fetchall(
        f"SELECT e.id {scan.text} AND {expression.text} ORDER BY e.id", scan.params + expression.params
    )
    return [row[0] for row in rows]


def outcome_page(rules, *, outcomes, offset: int, limit: int, now=None) -> list[tuple[int, str]]:
    """[(enterprise id, outcome)] for one page of the enterprises with the given outcomes.

    Ordered by outcome (qualifies, cannot tell, does not qualify), then by name like the
    park's enterprise list.
    """
    query = MatchQuery(now=now)
    outcome = _outcome_sql(query.rules_sql(rules))
    scan = query.from_sql()
    rank = " ".join(f"WHEN %s THEN {n}" for n in range(len(OUTCOMES)))
    return _fetchall(
        f"SELECT id, outcome FROM (SELECT e.id, e.name, {outcome.text} AS outcome {scan.text}) matched "
        f"WHERE outcome = ANY(%s::text[]) ORDER BY CASE outcome {rank} END, name, id LIMIT %s OFFSET %s",
        [*outcome.params, *scan.params, list(outcomes), *OUTCOMES, limit, offset],
    )


def outcome_counts(rules_by_key: dict, *, now=None) -> dict[object, dict[str, int]]:
    """{key: {outcome: number of verified enterprises}} for many rule sets, in one scan per 200."""
    keys = list(rules_by_key)
    counts = {}
    for start in range(0, len(keys), PROGRAMMES_PER_STATEMENT):
        chunk = keys[start : start + PROGRAMMES_PER_STATEMENT]
        query = MatchQuery(now=now)
        expressions = [query.rules_sql(rules_by_key[key]) for key in chunk]
        scan = query.from_sql()
        columns = ", ".join(
            f"count(*) FILTER (WHERE {e.text}), count(*) FILTER (WHERE ({e.text}) IS NULL)"
            for e in expressions
        )
        params = [p for e in expressions for p in (*e.params, *e.params)]
        (row,) = _fetchall(f"SELECT count(*), {columns} {scan.text}", params + scan.params)
        total = row[0]
        for n, key in enumerate(chunk):
            qualifies, cannot_tell = row[1 + 2 * n], row[2 + 2 * n]
            counts[key] = {
                QUALIFIES: qualifies,
                CANNOT_TELL: cannot_tell,
                DOES_NOT_QUALIFY: total - qualifies - cannot_tell,
            }
    return counts


def qualifying_ids_by_key(rules_by_key: dict, *, now=None) -> dict[object, list[int]]:
    """{key: ids of the verified enterprises that qualify} for many rule sets, in one scan per 200."""
    keys = list(rules_by_key)
    qualifying = {}
    for start in range(0, len(keys), PROGRAMMES_PER_STATEMENT):
        chunk = keys[start : start + PROGRAMMES_PER_STATEMENT]
        query = MatchQuery(now=now)
        expressions = [query.rules_sql(rules_by_key[key]) for key in chunk]
        scan = query.from_sql()
        columns = ", ".join(f"array_agg(e.id ORDER BY e.id) FILTER (WHERE {e.text})" for e in expressions)
        params = [p for e in expressions for p in e.params]
        (row,) = _fetchall(f"SELECT {columns} {scan.text}", params + scan.params)
        qualifying.update({key: list(ids or []) for key, ids in zip(chunk, row, strict=True)})
    return qualifying
