"""What the enterprise is told after its award (in-app + email through notifications)."""

from tenant_schema.enterprises.models import Membership
from tenant_schema.notifications.services import notification_send


def award_notify(*, award, key: str, title: str, body: str = "") -> None:
    """Every person of the award's enterprise, once per cause (`key`); sent inside the writer's transaction,
    so a rolled-back change tells nobody (notification_send's email goes on commit)."""
    user_ids = list(
        Membership.objects.filter(enterprise_id=award.application.enterprise_id).values_list(
            "user_id", flat=True
        )
    )
    notification_send(
        user_ids=user_ids,
        title=str(title),
        body=str(body or ""),
        link=f"/awards/{award.pk}/",
        dedupe_key=f"awards:{key}",
    )
