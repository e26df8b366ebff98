"""One order waiting for payment per enterprise and service, as a partial unique index (issue 14).

Duplicates made before the index (double-clicked "buy") would stop it being created: the
oldest waiting order is kept and each later one is cancelled as the service would cancel
it (its pending payments cancelled, its voucher freed), with a history row that says why.
"""

from django.conf import settings
from django.db import migrations, models


def cancel_duplicates(apps, schema_editor):
    Subscription = apps.get_model("billing", "Subscription")
    SubscriptionHistory = apps.get_model("billing", "SubscriptionHistory")
    Payment = apps.get_model("billing", "Payment")
    Voucher = apps.get_model("billing", "Voucher")
    seen = set()
    pending = Subscription.objects.filter(status="pending_payment").order_by("enterprise_id", "service_id", "created_at", "pk")
    for subscription in pending.iterator():
        key = (subscription.enterprise_id, subscription.service_id)
        if key not in seen:
            seen.add(key)
            continue
        Subscription.objects.filter(pk=subscription.pk).update(status="cancelled", voucher=None)
        Payment.objects.filter(subscription_id=subscription.pk, status="pending").update(status="cancelled")
        if subscription.voucher_id:
            Voucher.objects.filter(pk=subscription.voucher_id).update(status="available", used_at=None)
        SubscriptionHistory.objects.create(
            subscription_id=subscription.pk, from_status="pending_payment", to_status="cancelled",
            note="重复的订单，已自动取消 (a duplicate of another order waiting for payment)",
        )


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0001_initial'),
        ('enterprises', '0004_pages_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(cancel_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending_payment')), fields=('enterprise', 'service'), name='one_pending_order_per_service'),
        ),
    ]
