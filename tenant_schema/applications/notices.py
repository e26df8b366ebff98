"""Who is told what when an application moves (in-app + email through notifications)."""

from django.utils.translation import gettext as _

from tenant_schema.enterprises.models import Membership
from tenant_schema.notifications.services import notification_send

from .models import Application


def application_changed_notify(*, application: Application, transition) -> None:
    """The enterprise's people hear of every change, each once (keyed by the history row),
    except the person who made it: submitting or withdrawing needs no notice to oneself."""
    event = application.events.order_by("-pk").first()
    user_ids = Membership.objects.filter(enterprise_id=application.enterprise_id).values_list(
        "user_id", flat=True
    )
    if event is not None and event.actor_id:
        user_ids = user_ids.exclude(user_id=event.actor_id)
    stage = application.current_stage
    title = _("%(programme)s: %(status)s") % {
        "programme": application.programme.title,
        "status": application.get_status_display(),
    }
    body_parts = [str(transition.label)]
    if stage is not None:
        body_parts.append(_("Now at: %(stage)s") % {"stage": stage.public_name})
    if event is not None and event.comment and event.is_public:
        body_parts.append(_("Comment: %(comment)s") % {"comment": event.comment})
    notification_send(
        user_ids=list(user_ids),
        title=title,
        body="\n".join(body_parts),
        link=f"/applications/{application.pk}/",
        dedupe_key=f"application:{application.pk}:event:{event.pk if event else 0}",
    )
