"""The payments' pages: the Stripe.js stand-in served offline, the customer's saved cards (list,
add, make default, remove) and paying a booking again with another card.

Thin views: forms read the request, payments.services decides and writes. The card endpoints
answer JSON to the card component's JavaScript (it sends `Accept: application/json`) and
work as plain forms too (a message and a redirect). A card or a booking that is not the
signed-in person's is a 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.errors import DomainError, Invalid
from marketplace.pages import error_status, form_add_error, messages_add_error
from marketplace.params import MAX_ID, redirect_next

from . import selectors
from .forms import PayCardForm, SetupIntentForm
from .models import Payment, SavedCard
from .services import cards as card_services
from .services.lifecycle import payment_pay_again

# localstripe's script starts by working out where localstripe is from its own <script src>;
# served by the site, that would be the site. This is that first statement, replaced by the
# address the browser reaches localstripe at (settings.STRIPE_JS_API_BASE).
LOCALSTRIPE_BASE_STATEMENT = re.compile(
    r"^const LOCALSTRIPE_BASE_API = \(function \(\) \{\n.*?\n\}\)\(\);$", re.M | re.S
)


class StripeScriptChanged(RuntimeError):
    """The installed localstripe's script no longer starts the way it is pinned here."""


@lru_cache(maxsize=4)
def localstripe_script(api_base: str) -> str:
    """localstripe's Stripe.js stand-in, talking to `api_base`."""
    source = resources.files("localstripe").joinpath("localstripe-v3.js").read_text("utf-8")
    found = LOCALSTRIPE_BASE_STATEMENT.findall(source)
    if len(found) != 1:
        raise StripeScriptChanged(
            "localstripe-v3.js no longer computes LOCALSTRIPE_BASE_API in one statement: check "
            "payments.views.LOCALSTRIPE_BASE_STATEMENT against the pinned localstripe."
        )
    pinned = f"const LOCALSTRIPE_BASE_API = {json.dumps(api_base.rstrip('/'))};"
    return LOCALSTRIPE_BASE_STATEMENT.sub(lambda match: pinned, source)


@require_GET
def stripe_js(request: HttpRequest) -> HttpResponse:
    """Offline (settings.STRIPE_API_BASE set): localstripe's stand-in for Stripe.js. With real
    keys pages load https://js.stripe.com/v3/ and this is a 404."""
    if not settings.STRIPE_API_BASE:
        raise Http404("Stripe.js comes from Stripe.")
    response = HttpResponse(
        localstripe_script(settings.STRIPE_JS_API_BASE), content_type="application/javascript"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _json_error(error: DomainError) -> JsonResponse:
    return JsonResponse(
        {"code": error.code, "message": " ".join(error.messages)}, status=error_status(error)
    )


def _card_json(card: SavedCard) -> dict[str, object]:
    return {
        "id": card.pk,
        "brand": card.brand,
        "last4": card.last4,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
        "is_default": card.is_default,
        "label": str(card),
    }


def _back(request: HttpRequest) -> HttpResponse:
    return redirect_next(request, request.POST.get("next"), fallback=reverse("card_list"))


@login_required
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "payments/card_list.html",
        {
            "cards": selectors.cards_of(user=request.user),
            "max_cards": card_services.MAX_SAVED_CARDS,
        },
    )


@login_required
@require_POST
def card_setup(request: HttpRequest) -> HttpResponse:
    """A SetupIntent's client secret for Stripe.js to confirm the card typed in the browser."""
    if not _wants_json(request):
        messages.error(request, "Adding a card needs JavaScript: turn it on and try again.")
        return _back(request)
    try:
        client_secret = card_services.card_setup_start(user=request.user)
    except DomainError as error:
        return _json_error(error)
    return JsonResponse({"client_secret": client_secret})


@login_required
@require_POST
def card_save(request: HttpRequest) -> HttpResponse:
    """Save the card of a SetupIntent Stripe.js confirmed, as the person's default card."""
    form = SetupIntentForm(request.POST)
    try:
        if not form.is_valid():
            raise _form_error(form)
        card = card_services.card_save(
            user=request.user, setup_intent_id=form.cleaned_data["setup_intent"]
        )
    except DomainError as error:
        if _wants_json(request):
            return _json_error(error)
        messages_add_error(request, error)
        return _back(request)
    # The script sends its form next: the page it lands on says so.
    messages.success(request, f"Your {card} is saved. New bookings are paid with it.")
    if _wants_json(request):
        return JsonResponse({"card": _card_json(card)}, status=201)
    return _back(request)


def _form_error(form: SetupIntentForm) -> Invalid:
    return Invalid(" ".join(text for errors in form.errors.values() for text in errors))


def _card_action(
    request: HttpRequest, pk: int, action: Callable[..., SavedCard | None], done: str
) -> HttpResponse:
    """Make default or remove one of the person's cards; another's is a 404."""
    if pk > MAX_ID or not SavedCard.objects.filter(pk=pk, user=request.user).exists():
        raise Http404("No such card.")
    try:
        card = action(user=request.user, card_id=pk)
    except DomainError as error:
        if _wants_json(request):
            return _json_error(error)
        messages_add_error(request, error)
        return _back(request)
    if _wants_json(request):
        return JsonResponse({"card": _card_json(card) if card else None})
    messages.success(request, done)
    return _back(request)


@login_required
@require_POST
def card_default(request: HttpRequest, pk: int) -> HttpResponse:
    return _card_action(
        request, pk, card_services.card_make_default, "New bookings will be paid with this card."
    )


@login_required
@require_POST
def card_remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _card_action(request, pk, card_services.card_remove, "The card is removed.")


def _customer_payment(request: HttpRequest, pk: int) -> Payment:
    payment = selectors.payment_for_party(user=request.user, booking_id=pk)
    if payment is None or payment.customer_id != request.user.pk:
        raise Http404("No such booking.")
    return payment


@login_required
@require_http_methods(["GET", "POST"])
def booking_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer picks or enters a card for a payment that needs one, failed, or is not yet
    authorised; it is authorised at once when it is due."""
    payment = _customer_payment(request, pk)
    booking = payment.booking
    if payment.state not in selectors.PAYABLE_STATES:
        messages.info(request, "This booking's payment does not need a card now.")
        return redirect(booking.get_absolute_url())
    form = PayCardForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            payment = payment_pay_again(
                payment_id=payment.pk, actor=request.user, card_id=form.cleaned_data["card"]
            )
        except DomainError as error:
            form_add_error(form, error)
            status = error_status(error)
        else:
            _pay_result_message(request, payment)
            return redirect(booking.get_absolute_url())
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "payments/booking_pay.html",
        {"payment": payment, "booking": booking, "form": form},
        status=status,
    )


def _pay_result_message(request: HttpRequest, payment: Payment) -> None:
    shown = selectors.payment_status(payment=payment)
    if payment.state == Payment.State.FAILED:
        messages.error(request, f"{shown.sentence} Try another card.")
    else:
        messages.success(request, f"{shown.label}. {shown.sentence}")
