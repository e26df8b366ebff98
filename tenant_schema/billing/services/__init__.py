"""Writes for value-added services, one module per concept; import them from here.

- catalogue: services and providers
- vouchers: issue, use, free again, withdraw
- orders: checkout, paying online or by transfer, cancelling
- payments: payment attempts, refunds, following Stripe
- subscriptions: the term's moves, its start and end, the hourly sweep
- transfers: the park's bank account, each order's payment deadline, lapsing unpaid orders
- ratings

Every status change of a subscription, a payment or a voucher goes through its workflow
(tenant_schema/billing/workflow.py) and saas.workflow.transition_apply (moves.billing_move), which
writes a row of that object's append-only history.
"""

from .access import is_park_admin, require_park_admin
from .catalogue import SERVICE_FIELDS, provider_create, service_create, service_update
from .orders import (
    CHECKOUT_SESSION_REUSE,
    Checkout,
    subscription_cancel,
    subscription_checkout,
    subscription_confirm_transfer,
    subscription_pay_online,
    subscription_request_transfer,
)
from .payments import (
    CHECKOUT_SESSION_LIFETIME,
    current_tenant,
    payment_duplicate_refund,
    payment_for_stripe_metadata,
    payment_open,
    payment_refund_record,
    payment_stripe_session_open,
    payment_succeed,
    payment_sync_from_stripe,
    subscription_refund,
)
from .ratings import rating_submit
from .subscriptions import (
    add_months,
    coverage_end,
    subscription_activate,
    subscription_expire,
    subscription_lock,
    subscription_transition,
    subscriptions_sweep,
)
from .transfers import (
    TRANSFER_ACCOUNT_FIELDS,
    order_pay_by,
    subscriptions_lapse_unpaid,
    transfer_account_save,
)
from .vouchers import (
    VOUCHER_ALPHABET,
    voucher_discount,
    voucher_issue,
    voucher_lock_for_use,
    voucher_release,
    voucher_use,
    voucher_void,
)

__all__ = [
    "CHECKOUT_SESSION_LIFETIME",
    "CHECKOUT_SESSION_REUSE",
    "SERVICE_FIELDS",
    "TRANSFER_ACCOUNT_FIELDS",
    "VOUCHER_ALPHABET",
    "Checkout",
    "add_months",
    "coverage_end",
    "current_tenant",
    "is_park_admin",
    "order_pay_by",
    "payment_duplicate_refund",
    "payment_for_stripe_metadata",
    "payment_open",
    "payment_refund_record",
    "payment_stripe_session_open",
    "payment_succeed",
    "payment_sync_from_stripe",
    "provider_create",
    "rating_submit",
    "require_park_admin",
    "service_create",
    "service_update",
    "subscription_activate",
    "subscription_cancel",
    "subscription_checkout",
    "subscription_confirm_transfer",
    "subscription_expire",
    "subscription_lock",
    "subscription_pay_online",
    "subscription_refund",
    "subscription_request_transfer",
    "subscription_transition",
    "subscriptions_lapse_unpaid",
    "subscriptions_sweep",
    "transfer_account_save",
    "voucher_discount",
    "voucher_issue",
    "voucher_lock_for_use",
    "voucher_release",
    "voucher_use",
    "voucher_void",
]
