"""The provider portal's review pages: the provider's reviews with their replies, and rating
the customer of a completed booking.

Everything is looked up through the signed-in provider, so another provider's rows are 404s.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import provider_required
from accounts.models import ProviderProfile
from bookings.models import Booking
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error, messages_add_error
from marketplace.params import MAX_ID, parse_int

from . import rules, selectors, services
from .forms import CustomerRatingForm, ReplyForm
from .models import ReviewResponse


def _page_number(request: HttpRequest) -> int:
    return parse_int(request.GET.get("page"), minimum=1, maximum=10_000) or 1


def _reply_state(review, *, user, now) -> None:
    """What the page offers under each review: a reply form, an edit form, or nothing."""
    response = review.response if _has_response(review) else None
    review.can_reply = (
        rules.reply_refusal(review=review, user=user, replied=response is not None) is None
    )
    review.can_edit_reply = (
        response is not None
        and rules.reply_edit_refusal(response=response, user=user, now=now) is None
    )


def _has_response(review) -> bool:
    try:
        return review.response is not None
    except ReviewResponse.DoesNotExist:
        return False


@provider_required
@require_GET
def portal_review_list(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    page = selectors.provider_reviews(provider=provider, page=_page_number(request))
    now = timezone.now()
    for review in page.reviews:
        review.provider = provider
        _reply_state(review, user=request.user, now=now)
    return render(
        request,
        "reviews/portal/review_list.html",
        {"provider": provider, "page": page, "reply_form": ReplyForm()},
    )


@provider_required
@require_POST
def portal_review_reply(request: HttpRequest, provider: ProviderProfile, pk: int) -> HttpResponse:
    review = selectors.review_for_provider(provider=provider, pk=pk)
    if review is None:
        raise Http404("No such review.")
    form = ReplyForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("text", "")
    try:
        if _has_response(review):
            services.review_reply_edit(response=review.response, user=request.user, text=text)
            messages.success(request, "Your reply is updated.")
        else:
            services.review_reply(review=review, user=request.user, text=text)
            messages.success(request, "Your reply is published under the review.")
    except DomainError as error:
        messages_add_error(request, error)
    return redirect(f"{reverse('portal_review_list')}#review-{review.pk}")


def _provider_booking(provider: ProviderProfile, pk: int) -> Booking:
    booking = (
        Booking.objects.filter(pk=pk, provider=provider)
        .select_related("service", "customer")
        .first()
        if pk <= MAX_ID
        else None
    )
    if booking is None:
        raise Http404("No such booking.")
    return booking


@provider_required
@require_http_methods(["GET", "POST"])
def portal_customer_rate(request: HttpRequest, provider: ProviderProfile, pk: int) -> HttpResponse:
    booking = _provider_booking(provider, pk)
    booking.provider = provider
    refusal = rules.customer_rate_refusal(
        booking=booking, user=request.user, rated=selectors.customer_rated(booking=booking)
    )
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect(booking.get_absolute_url())
    status = 200
    form = CustomerRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_rate(
                booking=booking,
                user=request.user,
                rating=form.cleaned_data["rating"],
                private_note=form.cleaned_data["private_note"],
            )
        except DomainError as error:
            form_add_error(form, error)
            status = error_status(error)
        else:
            messages.success(request, "Thanks, your rating of the customer is saved.")
            return redirect(booking.get_absolute_url())
    return render(
        request,
        "reviews/portal/customer_rate.html",
        {
            "booking": booking,
            "form": form,
            "standing": selectors.customer_standing(customer=booking.customer),
        },
        status=status,
    )
