"""The arithmetic of a score sheet, in one place: a sheet's weighted score, and a panel's average and spread.

Each criterion's points are scaled to its weight: points / max_points × weight, the weights
summing to 100, so a sheet's score is out of 100 whatever the criteria's maxima.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def weighted_total(pairs) -> Decimal:
    """pairs: (points, max_points, weight) for every criterion of the sheet."""
    total = sum(
        (Decimal(points) / Decimal(max_points) * Decimal(weight) for points, max_points, weight in pairs),
        Decimal("0"),
    )
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def panel_figures(totals: list[Decimal]) -> tuple[Decimal | None, Decimal | None]:
    """(average, spread = highest − lowest) of the submitted sheets' scores; (None, None) with none."""
    if not totals:
        return None, None
    average = (sum(totals, Decimal("0")) / len(totals)).quantize(CENT, rounding=ROUND_HALF_UP)
    return average, (max(totals) - min(totals)).quantize(CENT)
