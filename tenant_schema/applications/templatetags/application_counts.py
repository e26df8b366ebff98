"""{% my_application_counts as counts %}: the home page's "My applications" card for an enterprise user.

A tag rather than a line in saas.views.tenant_home, so the home view need not know about
applications; one aggregate query, run only where the card is shown.
"""

from django import template
from django.db.models import Count, Q

from tenant_schema.applications.models import Application
from tenant_schema.applications.selectors import application_list_for_user

register = template.Library()

S = Application.Status


@register.simple_tag(takes_context=True)
def my_application_counts(context) -> dict:
    user = context["request"].user
    return application_list_for_user(user=user).aggregate(
        total=Count("pk"),
        drafts=Count("pk", filter=Q(status=S.DRAFT)),
        returned=Count("pk", filter=Q(status=S.RETURNED)),
        in_review=Count("pk", filter=Q(status=S.IN_REVIEW)),
        awarded=Count("pk", filter=Q(status__in=[S.APPROVED, S.DISBURSED])),
    )
