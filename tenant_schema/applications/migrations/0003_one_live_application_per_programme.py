"""One live application per enterprise and programme, as a partial unique index (issue 14).

Duplicates made before the index (double submits) would stop it being created: the one
furthest along is kept (submitted before drafts, then the oldest) and each other live one
is withdrawn, with a history row that says why, so the enterprise and the park see it.
"""

from django.conf import settings
from django.db import migrations, models


ENDED = ["withdrawn", "rejected"]


def withdraw_duplicates(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    ApplicationEvent = apps.get_model("applications", "ApplicationEvent")
    live = Application.objects.exclude(status__in=ENDED).order_by(
        "enterprise_id", "programme_id", models.F("submitted_at").asc(nulls_last=True), "created_at", "pk"
    )
    seen = set()
    for application in live.iterator():
        key = (application.enterprise_id, application.programme_id)
        if key not in seen:
            seen.add(key)
            continue
        from_status = application.status
        Application.objects.filter(pk=application.pk).update(status="withdrawn", stage_due_at=None)
        ApplicationEvent.objects.create(
            application_id=application.pk, action="withdraw", from_status=from_status, to_status="withdrawn",
            comment="重复的申报，已自动撤回 (a duplicate of another live application for this programme)",
            is_public=True, from_stage_id=application.current_stage_id, to_stage_id=application.current_stage_id,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0002_pages_version'),
        ('enterprises', '0004_pages_version'),
        ('funding', '0003_pages_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(withdraw_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='application',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['withdrawn', 'rejected']), _negated=True), fields=('enterprise', 'programme'), name='one_live_application_per_programme'),
        ),
    ]
