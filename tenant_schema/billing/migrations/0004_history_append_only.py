"""Billing's histories become append-only workflow histories (issue 21).

The subscription history keeps its rows: `note` becomes the workflow's `comment` and `at`
its `created_at`; rows written before have an empty `action`. Payments and vouchers get
a history of their own. No data is backfilled for payments and vouchers made before.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0003_updated_at_for_api_sync"),
    ]

    operations = [
        migrations.RenameField(model_name="subscriptionhistory", old_name="note", new_name="comment"),
        migrations.RenameField(model_name="subscriptionhistory", old_name="at", new_name="created_at"),
        migrations.AddField(
            model_name="subscriptionhistory",
            name="action",
            field=models.CharField(default="", max_length=30, verbose_name="action"),
            preserve_default=False,
        ),
    ]
