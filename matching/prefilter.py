"""Rules compiled to SQL, to narrow the enterprises before Python decides.

`rules_prefilter` returns a Q that every qualifying enterprise satisfies (a superset: where SQL
and Python could disagree at an edge — rounding of the R&D share, calendar months — the SQL
side is loosened). `matching.rules` then evaluates only these candidates, so the answer is
exactly the Python one while a park of 7,000 enterprises is narrowed by the database first.

Only "qualifies" can be narrowed this way: under Kleene's logic an enterprise qualifies for
"all" iff every condition is met, and for "any" iff some condition is met, and "met" never
holds on missing data — so each condition compiles to its "met" predicate alone.
"""

import datetime as dt
import math
from decimal import Decimal
from functools import reduce
from operator import and_, or_

from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone

from enterprises.models import Enterprise, YearlyFigures

from .rules import ANY, FIELDS, FIGURE_FIELDS, rules_validate

LOOKUP = {"eq": "exact", "gte": "gte", "lte": "lte", "gt": "gt", "lt": "lt"}
SHARE_SLACK = Decimal("0.01")  # Python compares the share rounded to 0.01


def rules_prefilter(rules, *, now=None) -> Q | None:
    """A Q every qualifying enterprise meets, or None when the rules cannot narrow the list."""
    rules = rules_validate(rules)
    if not rules["conditions"]:
        return None
    now = now or timezone.now()
    parts = [_condition_q(condition, now) for condition in rules["conditions"]]
    if rules["combine"] == ANY:
        return None if any(part is None for part in parts) else reduce(or_, parts)
    parts = [part for part in parts if part is not None]
    return reduce(and_, parts) if parts else None


def _tags_exist(names) -> Exists:
    through = Enterprise.tags.through
    return Exists(through.objects.filter(enterprise_id=OuterRef("pk"), tag__name__in=names))


def _condition_q(condition: dict, now) -> Q | None:
    name, op, value = condition["field"], condition["op"], condition["value"]
    kind = FIELDS[name][0]
    if kind == "bool":
        return Q(**{name: value if op == "eq" else not value})
    if kind == "choice":
        if op == "eq":
            return Q(**{name: value})
        if op == "in":
            return Q(**{f"{name}__in": value})
        excluded = [value] if op == "ne" else value
        return ~Q(**{f"{name}__in": excluded}) & ~Q(**{name: ""})
    if kind == "tags":
        if op == "has_tag":
            return Q(_tags_exist([value]))
        return Q(_tags_exist(value)) if op == "in" else ~Q(_tags_exist(value))
    number = Decimal(str(value))
    if name == "employees":
        if op == "ne":
            return Q(employees__isnull=False) & ~Q(employees=number)
        return Q(**{f"employees__{LOOKUP[op]}": number})
    if name in FIGURE_FIELDS:
        rows = YearlyFigures.objects.filter(
            enterprise_id=OuterRef("pk"), year=condition["year"], **{f"{name}__isnull": False}
        )
        rows = (
            rows.exclude(**{name: number}) if op == "ne" else rows.filter(**{f"{name}__{LOOKUP[op]}": number})
        )
        return Q(Exists(rows))
    if name == "rd_share":
        rows = YearlyFigures.objects.filter(
            enterprise_id=OuterRef("pk"), year=condition["year"], revenue__gt=0, rd_spend__isnull=False
        ).annotate(
            share=ExpressionWrapper(
                F("rd_spend") * 100 / F("revenue"),
                output_field=DecimalField(max_digits=30, decimal_places=10),
            )
        )
        low, high = number - SHARE_SLACK, number + SHARE_SLACK
        bounds = {
            "gte": {"share__gte": low},
            "gt": {"share__gt": low},
            "lte": {"share__lte": high},
            "lt": {"share__lt": high},
            "eq": {"share__gte": low, "share__lte": high},
            "ne": {},
        }[op]
        return Q(Exists(rows.filter(**bounds)))
    # registered_months: at least N calendar months means at least 28·N − 3 days have passed.
    if op in ("gte", "gt", "eq"):
        months = math.floor(number) + 1 if op == "gt" else math.ceil(number)
        return Q(created_at__lte=now - dt.timedelta(days=max(0, 28 * months - 3)))
    return None
