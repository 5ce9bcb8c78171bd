"""The support pages: reporting a problem on a booking, a person's cases, a case's
conversation (read and write without JavaScript) and its photos.

Thin views: forms read the request, support.services decides and writes. A booking or case
that is not the signed-in person's (or a moderator's, for cases) is a 404.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from listings.photo_uploads import photo_response
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error
from marketplace.params import MAX_ID, parse_int
from payments.money import dollars

from . import rules, selectors, services
from .forms import CaseForm, CaseMessageForm
from .models import Case

CASES_PER_PAGE = 20
MAX_PAGE = MAX_ID // CASES_PER_PAGE
OPENED_MESSAGE = (
    "Thanks, your report is sent. A moderator will look at it and write here; we will tell "
    "you when anything happens."
)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_for_party(user=request.user, pk=pk)
    if booking is None:
        raise Http404("No such booking.")
    existing = selectors.case_open_on(booking=booking)
    if existing is not None:
        return redirect(existing)
    refusal = rules.case_open_refusal(
        booking=booking,
        user=request.user,
        finished_at=selectors.booking_finished_at(booking=booking),
        has_open_case=False,
        now=timezone.now(),
    )
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect(booking)
    status = 200
    form = CaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(booking=booking, user=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_error(form, error)
            status = error_status(error)
        else:
            messages.success(request, OPENED_MESSAGE)
            return redirect(case)
    elif request.method == "POST":
        status = 400
    return render(
        request, "support/case_new.html", {"booking": booking, "form": form}, status=status
    )


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    page_number = parse_int(request.GET.get("page"), minimum=1, maximum=MAX_PAGE) or 1
    start = (page_number - 1) * CASES_PER_PAGE
    rows = list(selectors.cases_for_user(user=request.user)[start : start + CASES_PER_PAGE + 1])
    return render(
        request,
        "support/case_list.html",
        {
            "cases": rows[:CASES_PER_PAGE],
            "page_number": page_number,
            "has_previous": page_number > 1,
            "has_next": len(rows) > CASES_PER_PAGE,
        },
    )


def _viewer_case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_for_viewer(user=request.user, pk=pk)
    if case is None:
        raise Http404("No such case.")
    return case


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _viewer_case(request, pk)
    form = CaseMessageForm()
    status = 200
    if request.method == "POST":
        form = CaseMessageForm(request.POST, request.FILES)
        if not form.is_valid():
            status = 400
        else:
            try:
                services.case_post(case=case, author=request.user, **form.cleaned_data)
            except DomainError as error:
                form_add_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, "Your message is in the case.")
                return redirect(f"{case.get_absolute_url()}#case-form")
    booking = case.booking
    return render(
        request,
        "support/case_detail.html",
        {
            "case": case,
            "booking": booking,
            "viewer_is_provider": request.user.pk == booking.provider.user_id,
            "report_photos": selectors.case_report_photos(case=case),
            "case_messages": selectors.case_messages(case=case),
            "events": selectors.case_events(case=case),
            "can_post": rules.case_post_refusal(case=case, user=request.user) is None,
            "refunded": dollars(case.refunded_cents),
            "form": form,
        },
        status=status,
    )


def _photo(request: HttpRequest, key: UUID, *, thumbnail: bool) -> FileResponse:
    # Only the case's parties and moderators may see it: no shared cache may keep a copy.
    return photo_response(
        selectors.photo_for_viewer(user=request.user, key=key),
        thumbnail=thumbnail,
        cache_control="private, max-age=86400",
    )


@login_required
@require_GET
def photo(request: HttpRequest, key: UUID) -> FileResponse:
    return _photo(request, key, thumbnail=False)


@login_required
@require_GET
def photo_thumb(request: HttpRequest, key: UUID) -> FileResponse:
    return _photo(request, key, thumbnail=True)


def media_refused(request: HttpRequest, name: str) -> HttpResponse:
    raise Http404("No such file.")
