"""The provider portal's booking pages: requests, the week calendar, working hours.

Everything is looked up through the signed-in provider, so another provider's rows are 404s.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import provider_required
from accounts.models import ProviderProfile
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error
from marketplace.params import parse_date

from . import selectors, services
from .forms import ExceptionForm, ReasonForm, WeeklyHoursForm
from .models import Weekday
from .rules import booking_allowed_actions


@provider_required
@require_GET
def portal_booking_list(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    board = selectors.provider_dashboard(provider=provider)
    for booking in board.needs_action:
        booking.actions = booking_allowed_actions(booking=booking, user=request.user)
    return render(
        request,
        "bookings/portal/booking_list.html",
        {"provider": provider, "board": board, "reason_form": ReasonForm()},
    )


def _week_start(value: str | None, zone: ZoneInfo) -> date:
    """The Monday of the week of `value` (an ISO date), or of this week when it is none."""
    day = parse_date(value) or timezone.now().astimezone(zone).date()
    return day - timedelta(days=day.weekday())


@provider_required
@require_GET
def portal_booking_calendar(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    zone = ZoneInfo(provider.base_city.timezone)
    week_start = _week_start(request.GET.get("week"), zone)
    days = selectors.provider_week(provider=provider, week_start=week_start)
    return render(
        request,
        "bookings/portal/calendar.html",
        {
            "provider": provider,
            "days": days,
            "week_start": week_start,
            "week_end": week_start + timedelta(days=6),
            "previous_week": week_start - timedelta(days=7),
            "next_week": week_start + timedelta(days=7),
            "zone_label": f"{provider.base_city.name} time",
            "today": timezone.now().astimezone(zone).date(),
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def portal_availability(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    hours_form = WeeklyHoursForm(prefix="hours")
    exception_form = ExceptionForm(prefix="exception", initial={"kind": "day_off"})
    status = 200
    if request.method == "POST" and request.POST.get("form") == "hours":
        hours_form = WeeklyHoursForm(request.POST, prefix="hours")
        if hours_form.is_valid():
            try:
                services.weekly_hours_add(provider=provider, **hours_form.cleaned_data)
            except DomainError as error:
                form_add_error(hours_form, error)
                status = error_status(error)
            else:
                messages.success(request, "Hours added. Customers can book these times now.")
                return redirect("portal_availability")
        else:
            status = 400
    elif request.method == "POST" and request.POST.get("form") == "exception":
        exception_form = ExceptionForm(request.POST, prefix="exception")
        if exception_form.is_valid():
            data = exception_form.cleaned_data
            try:
                services.availability_exception_add(
                    provider=provider,
                    day=data["date"],
                    kind=data["kind"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                )
            except DomainError as error:
                form_add_error(exception_form, error, fields={"day": "date"})
                status = error_status(error)
            else:
                messages.success(request, "Saved. Your free times for that day have changed.")
                return redirect("portal_availability")
        else:
            status = 400
    hours = selectors.weekly_hours(provider=provider)
    week = [
        {"weekday": value, "name": label, "ranges": [h for h in hours if h.weekday == value]}
        for value, label in Weekday.choices
    ]
    return render(
        request,
        "bookings/portal/availability.html",
        {
            "provider": provider,
            "week": week,
            "exceptions": selectors.upcoming_exceptions(provider=provider),
            "hours_form": hours_form,
            "exception_form": exception_form,
        },
        status=status,
    )


@provider_required
@require_POST
def portal_weekly_hours_delete(
    request: HttpRequest, provider: ProviderProfile, pk: int
) -> HttpResponse:
    if not services.weekly_hours_delete(provider=provider, pk=pk):
        raise Http404("No such hours.")
    messages.success(request, "Hours removed. Bookings already made are kept.")
    return redirect("portal_availability")


@provider_required
@require_POST
def portal_exception_delete(
    request: HttpRequest, provider: ProviderProfile, pk: int
) -> HttpResponse:
    if not services.availability_exception_delete(provider=provider, pk=pk):
        raise Http404("No such change.")
    messages.success(request, "Removed. That day follows your weekly hours again.")
    return redirect("portal_availability")
