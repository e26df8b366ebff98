"""What other apps' pages show of expert review: the enterprise's link to its outcome, the scores on the notice.

The enterprise's application page is kept in a cache keyed by a version that moves with the
application's changes; a decision is always confirmed with the application's own move (approve,
reject, advance) in the same transaction, so the kept page never misses the link.
"""

from django import template
from django.template.loader import render_to_string

from ..models import ReviewDecision
from ..selectors import notice_scores

register = template.Library()


@register.simple_tag
def expert_review_link(application) -> str:
    if not ReviewDecision.objects.filter(application=application).exists():
        return ""
    return render_to_string("expert_review/_outcome_link.html", {"application": application})


@register.simple_tag
def expert_notice_scores(awards) -> dict:
    """{application id: its passed decision}, for awards whose score sheet shows scores on the notice."""
    return notice_scores(application_ids=[award.pk for award in awards])


@register.filter
def decision_of(scores: dict, application_id):
    return scores.get(application_id)
