"""The one Stripe webhook endpoint, on the hub host."""

import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .services import InvalidWebhook, stripe_webhook_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """400 for anything not genuinely from Stripe; 500 on a handling failure so Stripe delivers again."""
    try:
        outcome = stripe_webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except InvalidWebhook as error:
        logger.warning("refused a Stripe webhook: %s", error)
        return HttpResponseBadRequest("invalid webhook")
    except Exception:
        return HttpResponse("handling failed; Stripe will retry", status=500)
    return HttpResponse("duplicate" if outcome.duplicate else "ok", content_type="text/plain")
