"""Notification pages: the list, opening one (marks it read) and marking all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.params import MAX_ID, parse_int, redirect_next

from . import selectors, services

PER_PAGE = 30
# The last page whose first row's OFFSET still fits PostgreSQL's bigint.
MAX_PAGE = MAX_ID // PER_PAGE


@login_required
@require_GET
def notifications_list(request: HttpRequest) -> HttpResponse:
    # A page that is no number (or whose rows would start past bigint) is the first.
    page_number = parse_int(request.GET.get("page"), minimum=1, maximum=MAX_PAGE) or 1
    start = (page_number - 1) * PER_PAGE
    # One row more than the page tells whether there is a next page, without counting them all.
    rows = list(selectors.notifications_for(user=request.user)[start : start + PER_PAGE + 1])
    notifications = rows[:PER_PAGE]
    return render(
        request,
        "notifications/list.html",
        {
            "notifications": notifications,
            "has_unread": any(n.is_unread for n in notifications),
            "page_number": page_number,
            "has_previous": page_number > 1,
            "has_next": len(rows) > PER_PAGE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.notification_open(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404("No such notification.")
    return redirect_next(request, notification.url, fallback=reverse("notifications_list"))


@login_required
@require_POST
def notifications_mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = services.notifications_mark_all_read(user=request.user)
    if changed:
        messages.success(request, "All notifications marked as read.")
    return redirect("notifications_list")
