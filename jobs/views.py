"""Posted jobs and quotes: the customer's pages (/jobs/) and the provider portal's (/portal/jobs/).

Thin views: forms read the request, services.py decides and writes. A job is looked up through
the signed-in customer, or through the provider who may see it, so anybody else gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import provider_required
from accounts.models import ProviderProfile
from listings.selectors import service_public
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error, messages_add_error
from marketplace.params import MAX_ID, parse_id, parse_int

from . import selectors, services
from .forms import AskNewTimeForm, JobForm, QuoteForm
from .models import JobRequest, Quote
from .rules import job_allowed_actions, quote_allowed_actions, quote_send_refusal

# --- Customer ---------------------------------------------------------------------------------


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    board = selectors.job_list_for_customer(customer=request.user)
    return render(request, "jobs/job_list.html", {"board": board})


@login_required
@require_http_methods(["GET", "POST"])
def job_new(request: HttpRequest) -> HttpResponse:
    service = None
    if raw_service := request.GET.get("service"):
        # A request to one provider, from their listing's "Request a quote" link.
        service_pk = parse_id(raw_service)
        if service_pk is None:
            raise Http404("No such service.")
        service = (
            service_public()
            .select_related("provider", "subcategory", "city")
            .filter(pk=service_pk)
            .first()
        )
        if service is None:
            raise Http404("This service is not taking requests.")
    status = 200
    if request.method == "POST":
        form = JobForm(request.POST, addressed=service is not None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = services.job_post(
                    customer=request.user,
                    **form.kind(),
                    title=data["title"],
                    description=data["description"],
                    place=data["place"],
                    budget_min=data["budget_min"],
                    budget_max=data["budget_max"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    service=service,
                )
            except DomainError as error:
                form_add_error(form, error)
                status = error_status(error)
            else:
                if service is not None:
                    messages.success(
                        request,
                        f"Sent to {service.provider.business_name}. We will email you when "
                        "their quote arrives.",
                    )
                else:
                    messages.success(
                        request,
                        "Your job is posted. Providers near you can now quote; we will email "
                        "you as quotes arrive.",
                    )
                return redirect(job.get_absolute_url())
        else:
            status = 400
    else:
        initial = {}
        if service is not None:
            initial = {"title": service.subcategory.name, "place": ""}
        form = JobForm(addressed=service is not None, initial=initial)
    return render(
        request,
        "jobs/job_new.html",
        {"form": form, "service": service},
        status=status,
    )


def _with_history(job: JobRequest, quotes: list[Quote], user) -> list[Quote]:
    """The current quotes with what each may do, each with its earlier versions."""
    current = selectors.quote_histories(quotes=quotes)
    for quote in current:
        quote.actions = quote_allowed_actions(quote=quote, job=job, user=user)
        for version in [quote, *quote.history]:
            version.when = selectors.quote_when(quote=version, job=job)
    return current


def _own_job(request: HttpRequest, pk: int) -> JobRequest:
    job = selectors.job_for_customer(customer=request.user, pk=pk)
    if job is None:
        raise Http404("No such job.")
    return job


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    quotes = _with_history(job, list(job.quotes.all()), request.user)
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "quotes": quotes,
            "pending_count": sum(q.status == Quote.Status.PENDING for q in quotes),
            # The card entry is shown once, above the quotes, when one can be accepted.
            "can_accept": any("accept" in quote.actions for quote in quotes),
            "actions": job_allowed_actions(job=job, user=request.user),
        },
    )


@login_required
@require_POST
def job_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    try:
        services.job_withdraw(job=job, actor=request.user)
    except DomainError as error:
        messages_add_error(request, error)
    else:
        messages.success(request, "Your job is withdrawn. Providers who quoted have been told.")
    return redirect(job.get_absolute_url())


@login_required
@require_POST
def quote_accept(request: HttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    quote = next((q for q in job.quotes.all() if q.pk == quote_pk), None)
    if quote is None:
        raise Http404("No such quote.")
    try:
        quote = services.quote_accept(quote=quote, actor=request.user)
    except DomainError as error:
        messages_add_error(request, error)
        return redirect(job.get_absolute_url())
    messages.success(
        request,
        f"Booked with {quote.provider.business_name}. We have emailed you both the details.",
    )
    return redirect(quote.booking.get_absolute_url())


@login_required
@require_POST
def quote_ask_new_time(request: HttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    quote = next((q for q in job.quotes.all() if q.pk == quote_pk), None)
    if quote is None:
        raise Http404("No such quote.")
    form = AskNewTimeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect(job.get_absolute_url())
    try:
        services.quote_ask_new_time(quote=quote, actor=request.user, note=form.cleaned_data["note"])
    except DomainError as error:
        messages_add_error(request, error)
    else:
        messages.success(
            request,
            f"We asked {quote.provider.business_name} for a new time. We will email you "
            "when they revise their quote.",
        )
    return redirect(job.get_absolute_url())


# --- Provider portal --------------------------------------------------------------------------


JOBS_PER_PAGE = 30
# The last page whose first row's OFFSET still fits PostgreSQL's bigint.
MAX_PAGE = MAX_ID // JOBS_PER_PAGE


@provider_required
@require_GET
def portal_job_list(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    # A page that is no number (or whose rows would start past bigint) is the first.
    page_number = parse_int(request.GET.get("page"), minimum=1, maximum=MAX_PAGE) or 1
    start = (page_number - 1) * JOBS_PER_PAGE
    # One row more than the page tells whether there is a next page, without counting.
    rows = selectors.jobs_near_provider(provider=provider, offset=start, limit=JOBS_PER_PAGE + 1)
    return render(
        request,
        "jobs/portal/job_list.html",
        {
            "provider": provider,
            "jobs": rows[:JOBS_PER_PAGE],
            "approved": provider.status == ProviderProfile.Status.APPROVED,
            "tab": "near",
            "page_number": page_number,
            "has_previous": page_number > 1,
            "has_next": len(rows) > JOBS_PER_PAGE,
        },
    )


@provider_required
@require_GET
def portal_quote_list(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    quotes = list(selectors.quotes_for_provider(provider=provider))
    for quote in quotes:
        quote.when = selectors.quote_when(quote=quote, job=quote.job)
    return render(
        request,
        "jobs/portal/quote_list.html",
        {"provider": provider, "quotes": quotes, "tab": "quotes"},
    )


def _nearest_duration(minutes: int) -> int:
    choices = [value for value, _ in QuoteForm.base_fields["duration_minutes"].choices]
    return min(choices, key=lambda c: abs(c - minutes))


def _revise_form(quote: Quote, job: JobRequest) -> QuoteForm:
    """The quote's own values, to change what the customer asked about."""
    local = quote.start.astimezone(job.zone)
    return QuoteForm(
        zone=job.zone,
        initial={
            "price": quote.price,
            "date": local.date(),
            "time": local.time(),
            "duration_minutes": _nearest_duration(quote.duration_minutes),
            "message": quote.message,
        },
    )


def _portal_job_page(
    request: HttpRequest,
    provider: ProviderProfile,
    job: JobRequest,
    *,
    form: QuoteForm | None = None,
    revise_form: QuoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    service = selectors.quoting_services(provider=provider, job=job).first()
    if form is None:
        duration = service.duration_minutes if service else services.DEFAULT_DURATION_MINUTES
        form = QuoteForm(
            zone=job.zone,
            initial={"duration_minutes": _nearest_duration(duration), "date": job.date_from},
        )
    quotes = selectors.quotes_for_job_and_provider(provider=provider, job=job)
    cannot_quote = quote_send_refusal(
        job=job,
        provider=provider,
        can_do_job=service is not None,
        has_waiting_quote=any(q.status in Quote.WAITING for q in quotes),
    )
    quotes = _with_history(job, quotes, request.user)
    for quote in quotes:
        if "revise" in quote.actions:
            quote.revise_form = revise_form or _revise_form(quote, job)
    return render(
        request,
        "jobs/portal/job_detail.html",
        {
            "provider": provider,
            "job": job,
            "form": form,
            "quotes": quotes,
            "can_quote": cannot_quote is None,
            "cannot_quote": cannot_quote,
        },
        status=status,
    )


def _provider_job(provider: ProviderProfile, pk: int) -> JobRequest:
    job = selectors.job_for_provider(provider=provider, pk=pk)
    if job is None:
        raise Http404("No such job.")
    return job


@provider_required
@require_http_methods(["GET", "POST"])
def portal_job_detail(request: HttpRequest, provider: ProviderProfile, pk: int) -> HttpResponse:
    job = _provider_job(provider, pk)
    if request.method != "POST":
        return _portal_job_page(request, provider, job)
    form = QuoteForm(request.POST, zone=job.zone)
    if not form.is_valid():
        return _portal_job_page(request, provider, job, form=form, status=400)
    try:
        services.quote_send(job=job, provider=provider, **form.values())
    except DomainError as error:
        form_add_error(form, error)
        return _portal_job_page(request, provider, job, form=form, status=error_status(error))
    messages.success(request, "Quote sent. We will email you when the customer answers.")
    return redirect("portal_job_detail", pk=job.pk)


@provider_required
@require_POST
def portal_quote_revise(
    request: HttpRequest, provider: ProviderProfile, quote_pk: int
) -> HttpResponse:
    quote = selectors.quote_for_provider(provider=provider, pk=quote_pk)
    if quote is None:
        raise Http404("No such quote.")
    job = _provider_job(provider, quote.job_id)
    form = QuoteForm(request.POST, zone=job.zone)
    if not form.is_valid():
        return _portal_job_page(request, provider, job, revise_form=form, status=400)
    try:
        services.quote_revise(quote=quote, actor=request.user, **form.values())
    except DomainError as error:
        form_add_error(form, error)
        return _portal_job_page(
            request, provider, job, revise_form=form, status=error_status(error)
        )
    messages.success(request, "Revised quote sent. We will email you when the customer answers.")
    return redirect("portal_job_detail", pk=job.pk)


@provider_required
@require_POST
def portal_quote_withdraw(
    request: HttpRequest, provider: ProviderProfile, quote_pk: int
) -> HttpResponse:
    quote = selectors.quote_for_provider(provider=provider, pk=quote_pk)
    if quote is None:
        raise Http404("No such quote.")
    try:
        services.quote_withdraw(quote=quote, actor=request.user)
    except DomainError as error:
        messages_add_error(request, error)
    else:
        messages.success(request, "Quote withdrawn. You can send a new one while the job is open.")
    return redirect("portal_job_detail", pk=quote.job_id)
