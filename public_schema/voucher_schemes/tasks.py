"""Voucher sweeps: thin tasks over the services, each safe to run twice (public schema)."""

from django.db import connection
from django.utils import timezone

from saas.celery import app

from .models import VoucherScheme
from .services import scheme_auto_grant, vouchers_expire_due


@app.task(name="voucher_schemes.expire_due")
def vouchers_expire_due_task() -> int:
    """Granted vouchers past their last day expire; their amount returns to the scheme's budget."""
    connection.set_schema_to_public()
    return vouchers_expire_due()


@app.task(name="voucher_schemes.auto_grant", acks_late=True)
def scheme_auto_grant_task(*, scheme_id: int) -> int:
    return scheme_auto_grant(scheme_id=scheme_id)


@app.task(name="voucher_schemes.auto_grant_all")
def schemes_auto_grant_all_task() -> int:
    """免申即享: enterprises that came to qualify since the last run (verified, new figures) get theirs."""
    connection.set_schema_to_public()
    today = timezone.localdate()
    scheme_ids = VoucherScheme.objects.filter(
        auto_grant=True, valid_from__lte=today, valid_until__gte=today
    ).values_list("pk", flat=True)
    for scheme_id in scheme_ids:
        scheme_auto_grant_task.apply_async(
            kwargs={"scheme_id": scheme_id}, headers={"_schema_name": "public"}
        )
    return len(scheme_ids)
