"""Hub pages for the envelopes between tenants: what is stuck, and "resend now" (hub operators only)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from public_schema.hub.access import hub_operator_required

from .handoffs import handoff_resend
from .selectors import handoff_get_pending, handoffs_pending_count, handoffs_stuck


@hub_operator_required
def handoff_list(request):
    return render(
        request,
        "handoffs/list.html",
        {"handoffs": handoffs_stuck(), "pending_count": handoffs_pending_count()},
    )


@require_POST
@hub_operator_required
def handoff_resend_now(request, pk):
    handoff = handoff_get_pending(pk=pk)
    handoff_resend(handoff=handoff)
    messages.success(
        request,
        _("Handoff %(id)s to %(receiver)s is queued again.")
        % {"id": handoff.pk, "receiver": handoff.receiver},
    )
    return redirect("handoffs:list")
