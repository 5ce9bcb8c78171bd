"""A signed-in person's bookings: book a slot, "My bookings", a booking and its actions.

Thin views: forms read the request, services.py decides and writes. A booking is looked up
through the signed-in user (its customer or its provider), so anybody else gets a 404.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from listings.models import Service
from listings.policies import POLICY_SUMMARIES
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error, messages_add_error
from marketplace.params import redirect_next
from marketplace.times import day_label

from . import selectors, services
from .forms import BookingForm, CancelForm, DayForm, ReasonForm, RescheduleForm
from .locking import SLOT_TAKEN_MESSAGE, SlotTaken
from .models import Booking
from .policies import (
    booking_cancellation_terms,
    booking_cancellation_timeline,
    booking_total,
    service_fee_sentence,
    timeline_sentence,
)
from .rules import BookingAction, booking_allowed_actions
from .slots import local_today, service_slots, service_slots_between, slot_parse

STRIP_DAYS = 14


def _own_booking(request: HttpRequest, pk: int) -> Booking:
    booking = selectors.booking_for_user(user=request.user, pk=pk)
    if booking is None:
        raise Http404("No such booking.")
    return booking


def _chosen_day(request: HttpRequest, service: Service, data=None) -> selectors.BookingDay:
    """The day asked for (in `data`, else the query string), or today with a notice saying
    why not (bookings.selectors.booking_day_choose holds the rule)."""
    asked = (data if data is not None else request.GET).get("date")
    return selectors.booking_day_choose(service=service, asked=asked)


def _strip_start(chosen: selectors.BookingDay) -> date:
    """The first day of the strip of days: today, unless the day is past the first strip."""
    if chosen.day < chosen.today + timedelta(days=STRIP_DAYS):
        return chosen.today
    return min(chosen.day, chosen.last_day - timedelta(days=STRIP_DAYS - 1))


def _day_strip(slots_by_day: dict) -> list[dict]:
    return [
        {"day": day, "label": f"{day:%a} {day.day} {day:%b}", "count": len(slots)}
        for day, slots in slots_by_day.items()
    ]


def _slot_fees(service: Service, slots: list, chosen: str | None) -> tuple[dict, object]:
    """Each time's fee timeline (slot value -> sentence), and the time whose timeline the page
    shows: the one chosen, else the first (the page's script follows later choices)."""
    fees = {
        slot.value: service_fee_sentence(service=service, start=slot.start, end=slot.end)
        for slot in slots
    }
    shown = next((slot for slot in slots if slot.value == chosen), slots[0] if slots else None)
    return fees, shown


@login_required
@require_http_methods(["GET", "POST"])
def booking_new(request: HttpRequest, service_pk: int) -> HttpResponse:
    service = selectors.bookable_service_get(pk=service_pk)
    if service is None:
        raise Http404("This service is not taking bookings.")
    chosen = _chosen_day(request, service, request.POST or None)
    day, strip_start = chosen.day, _strip_start(chosen)
    last_day = min(strip_start + timedelta(days=STRIP_DAYS - 1), chosen.last_day)
    by_day = service_slots_between(service=service, first_day=strip_start, last_day=last_day)
    if request.GET.get("date") is None and request.method == "GET" and not chosen.notice:
        # No day chosen yet: open on the first day with free times.
        day = next((d for d, slots in by_day.items() if slots), day)
    slots = by_day.get(day)
    if slots is None:
        slots = service_slots(service=service, day=day)
    status = 200
    if request.method == "POST":
        form = BookingForm(request.POST, slots=slots, day=day)
        start = slot_parse(request.POST.get("start", ""))
        if start is not None and request.POST.get("start") not in {s.value for s in slots}:
            # The time was free when the page was shown, and someone has taken it since.
            form.is_valid()
            form.errors.pop("start", None)
            form.add_error("start", SLOT_TAKEN_MESSAGE)
            status = 409
        if status == 200 and form.is_valid():
            try:
                booking = services.booking_create(
                    customer=request.user,
                    service=service,
                    start=start,
                    street_address=form.cleaned_data["street_address"],
                    place=form.cleaned_data["place"],
                    notes=form.cleaned_data["notes"],
                )
            except SlotTaken as error:
                form.add_error("start", error.message)
                status = 409
                slots = service_slots(service=service, day=day)
                form.fields["start"].choices = [(s.value, s.label) for s in slots]
            except DomainError as error:
                form_add_error(form, error)
                status = error_status(error)
            else:
                if booking.status == Booking.Status.ACCEPTED:
                    messages.success(
                        request,
                        "Your booking is confirmed. We have emailed you the details and a "
                        "calendar file.",
                    )
                else:
                    messages.success(
                        request,
                        f"Request sent to {service.provider.business_name}. They have "
                        f"{settings.BOOKING_REQUEST_EXPIRY_HOURS} hours to accept it; we will "
                        "email you as soon as they answer.",
                    )
                return redirect(booking.get_absolute_url())
        if status == 200 and form.errors:
            status = 400
    else:
        form = BookingForm(slots=slots, day=day, initial={"start": None})
    fees, chosen_slot = _slot_fees(service, slots, form["start"].value())
    return render(
        request,
        "bookings/booking_new.html",
        {
            "service": service,
            "day": day,
            "day_label": day_label(day),
            "chosen": chosen,
            "day_form": DayForm(initial={"date": day}, first=chosen.today, last=chosen.last_day),
            "strip": _day_strip(by_day),
            "slots": [(slot, fees[slot.value]) for slot in slots],
            "fee_slot": chosen_slot,
            "fee_sentence": fees[chosen_slot.value] if chosen_slot else "",
            "form": form,
            "zone_label": f"{service.city.name} time",
            "policy_summary": POLICY_SUMMARIES[service.cancellation_policy],
            "previous_day": day - timedelta(days=1) if day > local_today(service=service) else None,
            "next_day": day + timedelta(days=1) if day < chosen.last_day else None,
        },
        status=status,
    )


@login_required
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    board = selectors.customer_dashboard(user=request.user)
    return render(request, "bookings/booking_list.html", {"board": board})


@login_required
@require_GET
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    viewer_is_provider = booking.provider.user_id == request.user.pk
    return render(
        request,
        "bookings/booking_detail.html",
        {
            "booking": booking,
            "events": selectors.booking_events(booking=booking),
            "actions": booking_allowed_actions(booking=booking, user=request.user),
            "viewer_is_provider": viewer_is_provider,
            "total": booking_total(booking=booking),
            "policy_summary": POLICY_SUMMARIES[booking.cancellation_policy],
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    if BookingAction.CANCEL not in booking_allowed_actions(booking=booking, user=request.user):
        messages.error(request, "This booking can no longer be cancelled.")
        return redirect(booking.get_absolute_url())
    terms = booking_cancellation_terms(booking=booking, actor=request.user)
    timeline = booking_cancellation_timeline(booking=booking, actor=request.user)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_cancel(
                booking=booking, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_add_error(form, error)
        else:
            fee = booking.cancellation_fee
            messages.success(
                request,
                "The booking is cancelled and the other side has been told."
                + (f" A cancellation fee of ${fee:,.2f} AUD applies." if fee else ""),
            )
            return redirect(booking.get_absolute_url())
    return render(
        request,
        "bookings/booking_cancel.html",
        {
            "booking": booking,
            "terms": terms,
            "fee_timeline": timeline_sentence(
                timeline, total=booking_total(booking=booking), zone=booking.zone
            )
            if timeline
            else "",
            "form": form,
            "policy_summary": POLICY_SUMMARIES[booking.cancellation_policy],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    if BookingAction.RESCHEDULE not in booking_allowed_actions(booking=booking, user=request.user):
        messages.error(request, "This booking can no longer be moved.")
        return redirect(booking.get_absolute_url())
    service = booking.service
    chosen = _chosen_day(request, service, request.POST or None)
    day = chosen.day
    if request.method == "GET" and "date" not in request.GET:
        day = booking.start.astimezone(booking.zone).date()
    slots = [
        slot
        for slot in service_slots(service=service, day=day, ignore_booking_id=booking.pk)
        if slot.start != booking.start
    ]
    form = RescheduleForm(request.POST or None, slots=slots)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_reschedule_propose(
                booking=booking, actor=request.user, start=slot_parse(form.cleaned_data["start"])
            )
        except DomainError as error:
            form_add_error(form, error)
        else:
            messages.success(
                request,
                "New time proposed. The booking keeps its time until the other side accepts.",
            )
            return redirect(booking.get_absolute_url())
    return render(
        request,
        "bookings/booking_reschedule.html",
        {
            "booking": booking,
            "day": day,
            "day_label": day_label(day),
            "chosen": chosen,
            "day_form": DayForm(initial={"date": day}, first=chosen.today, last=chosen.last_day),
            "slots": slots,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# The actions that are one button on the booking page (cancel and reschedule have pages).
ACTIONS = {
    BookingAction.ACCEPT: (
        services.booking_accept,
        "Booking accepted. The customer has been told.",
    ),
    BookingAction.DECLINE: (
        services.booking_decline,
        "Request declined. The customer has been told.",
    ),
    BookingAction.COMPLETE: (
        services.booking_complete,
        "Marked completed. Thanks for a job well done.",
    ),
    BookingAction.RESCHEDULE_ACCEPT: (
        services.booking_reschedule_accept,
        "New time accepted: the booking has moved.",
    ),
    BookingAction.RESCHEDULE_DECLINE: (
        services.booking_reschedule_decline,
        "New time declined: the booking keeps its time.",
    ),
}
TAKES_REASON = {BookingAction.DECLINE, BookingAction.RESCHEDULE_DECLINE}


@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    booking = _own_booking(request, pk)
    service_function, done_message = ACTIONS[action]
    kwargs = {"booking": booking, "actor": request.user}
    if action in TAKES_REASON:
        form = ReasonForm(request.POST)
        kwargs["reason"] = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service_function(**kwargs)
    except DomainError as error:
        messages_add_error(request, error)
    else:
        messages.success(request, done_message)
    return redirect_next(request, request.POST.get("next"), fallback=booking.get_absolute_url())
