"""Writes of network vouchers: schemes, grants, spending on orders, expiry, claims for settlement.

The budget rule, once: what the vouchers of a scheme hold (`budget_held`) never exceeds its
budget. Only a grant raises what a voucher holds (to its amount); every grant takes the
scheme's row lock first and sums the ledger under it, so concurrent grants are serialised
and the last one that does not fit is refused. Spending, claiming and releasing keep what a
voucher holds; settling lowers it to the settled amount; refusal and expiry bring it to
nothing, which is how an expired voucher's amount returns to the budget.

Lock order, everywhere: the scheme, then its vouchers (transition_apply locks the voucher);
a claim's decision locks the claim, then its vouchers. No path locks a voucher before its scheme.
"""

from .claims import claim_file, claim_move
from .common import actor_label, scheme_area_ids
from .grants import scheme_auto_grant, voucher_apply, voucher_grant_to, voucher_review
from .schemes import scheme_create
from .spending import (
    institution_may_take,
    voucher_delivered,
    voucher_release,
    voucher_spend,
    vouchers_expire_due,
)

__all__ = [
    "actor_label",
    "claim_file",
    "claim_move",
    "institution_may_take",
    "scheme_area_ids",
    "scheme_auto_grant",
    "scheme_create",
    "voucher_apply",
    "voucher_delivered",
    "voucher_grant_to",
    "voucher_release",
    "voucher_review",
    "voucher_spend",
    "vouchers_expire_due",
]
