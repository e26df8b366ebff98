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
an approximation of it, in forms cheap enough to run on every row:

- the R&D share is `YearlyFigures.rd_share_of_revenue`: R&D spend / revenue × 100 rounded
  half-even to 0.01 (Decimal's default), missing when revenue is 0 or either is missing.
  Python divides to 28 significant digits first; with figures of at most 16 digits that
  rounding can never move a value across a rounding tie (it would need R&D spend ≥ 10²³
  cents), so the exact rational rounded half-even is equal. The SQL compares it by
  multiplying out, never dividing (see `_rd_share_sql`);
- months registered are `rules.months_between(created_at, now)`: calendar months on the
  UTC date of `created_at` (Django reads timestamps back in UTC) against `now`'s own date,
  one less when the day of the month has not come round yet, never below 0, and 0 when
  the registration time is missing. Each threshold becomes the registration time it needs
  (see `MatchQuery._registered_months_sql`).

Raw SQL, because the ORM cannot say "LEFT JOIN the figures of 2025 once" nor keep NULL as a
third answer through AND / OR. Table names come from the models; every value is a
parameter. The tenant's schema is the connection's search_path, set by django-tenants.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from tenant_schema.enterprises.models import Enterprise, Tag, YearlyFigures

from .rules import (
    ALL,
    CANNOT_TELL,
    DOES_NOT_QUALIFY,
    FIELDS,
    FIGURE_FIELDS,
    MET,
    QUALIFIES,
    Facts,
    condition_evaluate,
    rules_validate,
)

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
            if expected == expected.to_integral_value():
                return Sql(f"e.employees {COMPARISON[op]} %s::bigint", [int(expected)])
            return Sql(f"e.employees {COMPARISON[op]} %s::numeric", [expected])
        if name == "registered_months":
            return self._registered_months_sql(condition, expected)
        figures = self._figures_alias(condition["year"])
        if name == "rd_share":
            return _rd_share_sql(figures, op, expected)
        assert name in FIGURE_FIELDS, name
        return Sql(f"{figures}.{name} {COMPARISON[op]} %s::numeric", [expected])

    def _registered_months_sql(self, condition: dict, expected: Decimal) -> Sql:
        """Whole months registered, compared without computing them for each enterprise.

        `months_between(created_at, now)` only falls as the registration date moves later,
        so "at least n months" is "registered (UTC date) on or before the date n months
        before `now`'s date, clamped to that month's last day": one timestamp comparison.
        """

        def at_least(months: int) -> Sql:
            if months <= 0:
                return Sql("TRUE")
            year, month0 = divmod(self.now.year * 12 + self.now.month - 1 - months, 12)
            if year < 1:
                return Sql("FALSE")  # no registration is that old
            month = month0 + 1
            latest = dt.date(year, month, min(self.now.day, calendar.monthrange(year, month)[1]))
            before = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
            return Sql("e.created_at < %s::timestamptz", [before])

        compared = _integer_compared(condition["op"], expected, at_least, known=Sql("TRUE"))
        # Without a registration time Python counts 0 months.
        zero_months = condition_evaluate(condition, Facts(registered_months=0))[0] == MET
        return Sql(f"COALESCE({compared.text}, {'TRUE' if zero_months else 'FALSE'})", compared.params)

    # -- the scan ------------------------------------------------------------------------------

    def from_sql(self) -> Sql:
        """FROM the verified enterprises, with each year's figures the rules read LEFT JOINed once."""
        text = f"FROM {_table(Enterprise)} e"
        params: list = []
        for year, alias in sorted(self._years.items()):
            text += f" LEFT JOIN {_table(YearlyFigures)} {alias} ON {alias}.enterprise_id = e.id AND {alias}.year = %s"
            params.append(year)
        text += " WHERE e.status = %s"
        params.append(Enterprise.Status.VERIFIED)
        return Sql(text, params)


def _integer_compared(op: str, expected: Decimal, at_least, *, known: Sql) -> Sql:
    """`x op expected` for a whole number x, from `at_least(k)`, the SQL for "x ≥ k".

    NULL stays NULL through NOT and AND, so missing data stays "cannot tell"; `known` is
    TRUE when x is known (an integer x never equals a fraction, but is not missing).
    """
    if op == "gte":
        return at_least(math.ceil(expected))
    if op == "gt":
        return at_least(math.floor(expected) + 1)
    if op in ("lte", "lt"):
        above = at_least(math.floor(expected) + 1 if op == "lte" else math.ceil(expected))
        return Sql(f"NOT ({above.text})", above.params)
    if expected == expected.to_integral_value():
        low, high = at_least(int(expected)), at_least(int(expected) + 1)
        equal = Sql(f"({low.text}) AND NOT ({high.text})", low.params + high.params)
    else:
        equal = Sql(f"CASE WHEN {known.text} THEN FALSE END", known.params)
    return equal if op == "eq" else Sql(f"NOT ({equal.text})", equal.params)


def _rd_share_sql(figures: str, op: str, expected: Decimal) -> Sql:
    """`YearlyFigures.rd_share_of_revenue op expected`, exactly, in multiplications only.

    The share is R&D spend / revenue × 100 rounded half-even to 0.01, missing when the
    revenue is 0 or either figure is missing. In hundredths h = round-half-even(r) with
    r = 10000 × R&D / revenue, and "h ≥ k" is "r > k − ½, or r = k − ½ with k even". With
    A = R&D × sign(revenue) and D = |revenue| that is 20000·A > (2k − 1)·D, or ≥ when k is
    even: exact numeric arithmetic, and NULL whenever a figure is missing.
    """
    spend = f"{figures}.rd_spend * sign(NULLIF({figures}.revenue, 0))"
    revenue = f"abs(NULLIF({figures}.revenue, 0))"

    def at_least(hundredths: int) -> Sql:
        comparison = ">=" if hundredths % 2 == 0 else ">"
        return Sql(f"20000 * {spend} {comparison} %s::numeric * {revenue}", [Decimal(2 * hundredths - 1)])

    known = Sql(f"{figures}.rd_spend IS NOT NULL AND {figures}.revenue <> 0")
    return _integer_compared(op, expected * 100, at_least, known=known)


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


# The rule set's value (TRUE, FALSE or NULL) → a filter keeping these outcomes.
_OUTCOME_FILTERS = {
    frozenset({QUALIFIES}): "({})",
    frozenset({CANNOT_TELL}): "({}) IS NULL",
    frozenset({DOES_NOT_QUALIFY}): "NOT ({})",
    frozenset({QUALIFIES, CANNOT_TELL}): "({}) IS NOT FALSE",
    frozenset({QUALIFIES, DOES_NOT_QUALIFY}): "({}) IS NOT NULL",
    frozenset({CANNOT_TELL, DOES_NOT_QUALIFY}): "({}) IS NOT TRUE",
}


def outcome_page(rules, *, outcomes, offset: int, limit: int, now=None) -> list[tuple[int, str]]:
    """[(enterprise id, outcome)] for one page of the enterprises with the given outcomes.

    Ordered by outcome (qualifies, cannot tell, does not qualify), then by name like the
    park's enterprise list. The filter is on the rule set's value itself, so for "qualifies"
    PostgreSQL can join and filter the figures as it does for `qualifying_ids`.
    """
    outcomes = frozenset(outcomes)
    query = MatchQuery(now=now)
    expression = query.rules_sql(rules)
    scan = query.from_sql()
    if outcomes == frozenset(OUTCOMES):
        kept = Sql("TRUE")
    else:
        kept = Sql(_OUTCOME_FILTERS[outcomes].format(expression.text), expression.params)
    if len(outcomes) == 1:
        (only,) = outcomes
        outcome, rank = Sql("%s::text", [only]), Sql("")
    else:
        outcome = _outcome_sql(expression)
        rank = Sql(
            "CASE outcome " + " ".join(f"WHEN %s THEN {n}" for n in range(len(OUTCOMES))) + " END, ",
            list(OUTCOMES),
        )
    return _fetchall(
        f"SELECT id, outcome FROM (SELECT e.id, e.name, {outcome.text} AS outcome {scan.text} AND {kept.text}) "
        f"matched ORDER BY {rank.text}name, id LIMIT %s OFFSET %s",
        [*outcome.params, *scan.params, *kept.params, *rank.params, limit, offset],
    )


def _chunks(rules_by_key: dict):
    keys = list(rules_by_key)
    for start in range(0, len(keys), PROGRAMMES_PER_STATEMENT):
        yield keys[start : start + PROGRAMMES_PER_STATEMENT]


def outcome_counts(rules_by_key: dict, *, now=None) -> dict[object, dict[str, int]]:
    """{key: {outcome: number of verified enterprises}} for many rule sets, in one scan (per 200)."""
    counts = {}
    for chunk in _chunks(rules_by_key):
        query = MatchQuery(now=now)
        expressions = [query.rules_sql(rules_by_key[key]) for key in chunk]
        scan = query.from_sql()
        # Each rule set is evaluated once per enterprise in the inner query (OFFSET 0 keeps
        # PostgreSQL from folding it into the outer one, which would evaluate it per count).
        decided = ", ".join(f"{e.text} AS decided_{n}" for n, e in enumerate(expressions))
        columns = ", ".join(
            f"count(*) FILTER (WHERE decided_{n}), count(*) FILTER (WHERE decided_{n} IS NULL)"
            for n in range(len(expressions))
        )
        (row,) = _fetchall(
            f"SELECT count(*), {columns} FROM (SELECT {decided} {scan.text} OFFSET 0) decided",
            [p for e in expressions for p in e.params] + scan.params,
        )
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
    """{key: ids (ascending) of the verified enterprises that qualify} for many rule sets, in one scan (per 200)."""
    qualifying = {}
    for chunk in _chunks(rules_by_key):
        query = MatchQuery(now=now)
        expressions = [query.rules_sql(rules_by_key[key]) for key in chunk]
        scan = query.from_sql()
        columns = ", ".join(f"array_agg(e.id) FILTER (WHERE {e.text})" for e in expressions)
        (row,) = _fetchall(
            f"SELECT {columns} {scan.text}", [p for e in expressions for p in e.params] + scan.params
        )
        # Sorted here: an ORDER BY inside each aggregate would sort once per rule set.
        qualifying.update({key: sorted(ids or ()) for key, ids in zip(chunk, row, strict=True)})
    return qualifying
