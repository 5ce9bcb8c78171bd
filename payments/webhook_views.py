"""Stripe's webhook endpoint: Stripe (or localstripe, in `make run`) posts events here.

Thin: the body is bounded, then payments.services.webhooks verifies the signature, stores the
event by its id and queues its processing. Stripe retries anything but a 2xx, so a replay of a
stored event answers 200 (and is not processed again), and a request we refuse answers 400.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace.errors import Invalid

from .services.webhooks import webhook_receive

# Stripe's events are a few kilobytes; anything this big is not one.
MAX_BODY_BYTES = 256 * 1024


def _too_big(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    return declared > MAX_BODY_BYTES


@csrf_exempt  # Stripe cannot send a CSRF token; the signature proves who sent it
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    if _too_big(request):
        return JsonResponse({"error": "The body is too large for a Stripe event."}, status=413)
    # Read at most one byte past the bound, whatever the declared length said.
    payload = request.read(MAX_BODY_BYTES + 1)
    if len(payload) > MAX_BODY_BYTES:
        return JsonResponse({"error": "The body is too large for a Stripe event."}, status=413)
    try:
        event, created = webhook_receive(
            payload=payload, signature=request.headers.get("Stripe-Signature", "")
        )
    except Invalid as refused:
        return JsonResponse({"error": refused.message}, status=400)
    return JsonResponse({"received": event.stripe_id, "duplicate": not created})
