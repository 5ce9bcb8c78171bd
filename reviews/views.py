"""The customer's review pages (write, edit), reporting a review, and review photos.

Thin views: forms read the request, reviews.services decides and writes. A booking or review
that is not the signed-in person's is a 404.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from bookings.models import Booking
from listings.photo_uploads import photo_response
from marketplace.client_address import client_info
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error
from marketplace.params import MAX_ID

from . import rules, selectors, services
from .forms import ReportForm, ReviewForm, ReviewPhotosForm
from .models import Review

PUBLISHED_MESSAGE = "Thanks, your review is published."
HELD_MESSAGE = "Thanks, your review is being checked by our moderators before it is shown."


def _customer_booking(request: HttpRequest, pk: int) -> Booking:
    if pk > MAX_ID:
        raise Http404("No such booking.")
    booking = (
        Booking.objects.filter(pk=pk, customer=request.user)
        .select_related("service", "provider")
        .first()
    )
    if booking is None:
        raise Http404("No such booking.")
    return booking


def _review_fields(form: ReviewForm) -> dict[str, str]:
    names = ("rating", "quality", "punctuality", "communication", "value", "text")
    return {name: form.cleaned_data[name] for name in names}


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _customer_booking(request, pk)
    existing = Review.objects.filter(booking=booking).first()
    if existing is not None:
        return redirect(booking.get_absolute_url())
    refusal = rules.review_refusal(
        booking=booking,
        user=request.user,
        completed_at=selectors.completed_at(booking=booking),
        reviewed=False,
        now=timezone.now(),
    )
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect(booking.get_absolute_url())
    status = 200
    form = ReviewPhotosForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_submit(
                booking=booking,
                author=request.user,
                photos=form.cleaned_data["photos"],
                client=client_info(request),
                **_review_fields(form),
            )
        except DomainError as error:
            form_add_error(form, error)
            status = error_status(error)
        else:
            published = review.status == Review.Status.PUBLISHED
            messages.success(request, PUBLISHED_MESSAGE if published else HELD_MESSAGE)
            return redirect(booking.get_absolute_url())
    elif request.method == "POST":
        status = 400
    return render(
        request, "reviews/review_form.html", {"booking": booking, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_author(user=request.user, pk=pk)
    if review is None:
        raise Http404("No such review.")
    booking = review.booking
    refusal = rules.review_edit_refusal(review=review, user=request.user, now=timezone.now())
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect(booking.get_absolute_url())
    status = 200
    initial = {
        name: "" if getattr(review, name) is None else str(getattr(review, name))
        for name in ("rating", "quality", "punctuality", "communication", "value")
    } | {"text": review.text}
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_edit(
                review=review, author=request.user, **_review_fields(form)
            )
        except DomainError as error:
            form_add_error(form, error)
            status = error_status(error)
        else:
            if review.status == Review.Status.HELD:
                messages.success(request, "Your review is saved and is being checked.")
            else:
                messages.success(request, "Your review is saved.")
            return redirect(booking.get_absolute_url())
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "reviews/review_form.html",
        {"booking": booking, "form": form, "review": review},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_public_get(pk=pk)
    if review is None or review.author_id == request.user.pk:
        raise Http404("No such review.")
    status = 200
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_report(
                review=review,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except DomainError as error:
            form_add_error(form, error)
            status = error_status(error)
        else:
            messages.success(request, "Thank you. A moderator will look at this review.")
            return redirect(review.service.get_absolute_url())
    return render(request, "reviews/report.html", {"review": review, "form": form}, status=status)


def _photo(request: HttpRequest, key: UUID, *, thumbnail: bool) -> FileResponse:
    photo = selectors.photo_visible(user=request.user, key=key)
    # A review can be hidden later: shared caches keep it no longer than a few minutes.
    return photo_response(photo, thumbnail=thumbnail, cache_control="public, max-age=300")


@require_GET
def photo(request: HttpRequest, key: UUID) -> FileResponse:
    return _photo(request, key, thumbnail=False)


@require_GET
def photo_thumb(request: HttpRequest, key: UUID) -> FileResponse:
    return _photo(request, key, thumbnail=True)


def media_refused(request: HttpRequest, name: str) -> HttpResponse:
    raise Http404("No such file.")
