"""The jobs and quotes API: post and withdraw a job, the jobs a provider may quote on, quote,
the quotes on one's job, accept one (and ask for a new time, revise, withdraw).

Thin like the pages (jobs.views): jobs.selectors read (a job is found through the caller: the
customer who posted it, or a provider who may see it; anybody else gets a 404), jobs.rules say
what the caller may do now, and jobs.services act; their domain errors answer in the API's one
format (marketplace.api.exception_handler).
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_for_user
from bookings.api import BoundedDateField
from listings.models import Category, Subcategory
from listings.selectors import service_public
from marketplace.errors import Invalid, NotAllowed
from marketplace.params import DATE_MAX, DATE_MIN, MAX_ID, parse_int

from . import selectors, services
from .models import JobRequest, Quote
from .rules import job_allowed_actions, quote_allowed_actions, quote_send_refusal

NO_PROFILE = "Set up your provider profile first."
PRICE = {"max_digits": 9, "decimal_places": 2}


def _provider(request: Request) -> ProviderProfile | None:
    return provider_profile_for_user(user=request.user)


def _role(request: Request) -> tuple[str, ProviderProfile | None]:
    """`role` from the query string (without one, a provider acts as a provider), and the
    caller's provider profile when the role is provider."""
    asked = request.query_params.get("role")
    if asked not in {None, "customer", "provider"}:
        raise Invalid(fields={"role": "Choose customer or provider."})
    if asked == "customer":
        return "customer", None
    provider = _provider(request)
    if asked == "provider" and provider is None:
        raise NotAllowed(NO_PROFILE)
    return ("provider", provider) if provider is not None else ("customer", None)


ROLE = OpenApiParameter(
    "role",
    str,
    enum=["customer", "provider"],
    description="customer: the jobs you posted; provider: the jobs you may quote on "
    "(the default for a provider).",
)


def _choices(status) -> str:
    # Text, not an enum: every app's models name their choices "Status", and the schema
    # would need an ENUM_NAME_OVERRIDES entry (settings) for each of them.
    return "One of: " + ", ".join(status.values) + "."


# --- Output ------------------------------------------------------------------------------------


class JobSerializer(serializers.ModelSerializer):
    """A job as the caller sees it: every field is read-only (jobs.services write jobs)."""

    status = serializers.CharField(help_text=_choices(JobRequest.Status))
    status_label = serializers.CharField(source="get_status_display")
    kind = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = JobRequest
        fields = [
            "id",
            "status",
            "status_label",
            "title",
            "description",
            "kind",
            "subcategory",
            "category",
            "service",
            "place_name",
            "city",
            "budget_min",
            "budget_max",
            "date_from",
            "date_to",
            "created_at",
            "expires_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_kind(self, job: JobRequest) -> str:
        if job.subcategory_id:
            return job.subcategory.name
        return f"{job.category.name}: any kind"

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, job: JobRequest) -> list[str]:
        """What the caller may do now: the customer's (withdraw), and a provider's `quote`
        (asked of jobs.rules.quote_send_refusal when the view gives `can_quote`)."""
        actions = sorted(job_allowed_actions(job=job, user=self.context["request"].user))
        if self.context.get("can_quote"):
            actions.append("quote")
        return actions


class QuoteVersionSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=_choices(Quote.Status))

    class Meta:
        model = Quote
        fields = ["id", "price", "start", "duration_minutes", "message", "status", "created_at"]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    """A quote as the caller sees it: every field is read-only (jobs.services write quotes)."""

    status = serializers.CharField(help_text=_choices(Quote.Status))
    status_label = serializers.CharField(source="get_status_display")
    provider_name = serializers.CharField(source="provider.business_name")
    end = serializers.DateTimeField()
    when = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "id",
            "job",
            "status",
            "status_label",
            "provider",
            "provider_name",
            "service",
            "price",
            "message",
            "start",
            "end",
            "duration_minutes",
            "when",
            "valid_until",
            "change_note",
            "replaces",
            "booking",
            "created_at",
            "history",
            "allowed_actions",
        ]
        read_only_fields = fields

    def _job(self, quote: Quote) -> JobRequest:
        return self.context.get("job") or quote.job

    def get_when(self, quote: Quote) -> str:
        return selectors.quote_when(quote=quote, job=self._job(quote))

    @extend_schema_field(QuoteVersionSerializer(many=True))
    def get_history(self, quote: Quote) -> list:
        return QuoteVersionSerializer(getattr(quote, "history", []), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, quote: Quote) -> list[str]:
        user = self.context["request"].user
        return sorted(quote_allowed_actions(quote=quote, job=self._job(quote), user=user))


# --- Looking things up through the caller ------------------------------------------------------


def _job_for(request: Request, pk: int) -> tuple[JobRequest, ProviderProfile | None]:
    """The caller's own job (provider None), else a job a provider of theirs may see."""
    job = selectors.job_for_customer(customer=request.user, pk=pk)
    if job is not None:
        return job, None
    provider = _provider(request)
    job = selectors.job_for_provider(provider=provider, pk=pk) if provider else None
    if job is None:
        raise Http404("No such job.")
    return job, provider


def _can_quote(job: JobRequest, provider: ProviderProfile | None) -> bool:
    if provider is None:
        return False
    refusal = quote_send_refusal(
        job=job,
        provider=provider,
        can_do_job=selectors.quoting_services(provider=provider, job=job).exists(),
        has_waiting_quote=selectors.has_waiting_quote(provider=provider, job=job),
    )
    return refusal is None


def _customer_quote(request: Request, pk: int) -> Quote:
    """A quote on one of the caller's jobs (not a withdrawn one, as the job page)."""
    quote = (
        Quote.objects.filter(pk=pk, job__customer=request.user)
        .exclude(status=Quote.Status.WITHDRAWN)
        .select_related("job__city", "provider", "booking")
        .first()
    )
    if quote is None:
        raise Http404("No such quote.")
    return quote


def _provider_quote(request: Request, pk: int) -> Quote:
    provider = _provider(request)
    quote = selectors.quote_for_provider(provider=provider, pk=pk) if provider else None
    if quote is None:
        raise Http404("No such quote.")
    return quote


def _quote_answer(request: Request, quote: Quote, status: int = 200) -> Response:
    quote = Quote.objects.select_related("job__city", "provider", "booking").get(pk=quote.pk)
    return Response(QuoteSerializer(quote, context={"request": request}).data, status=status)


# --- Jobs --------------------------------------------------------------------------------------


class JobPostSerializer(serializers.Serializer):
    subcategory = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="The kind of job..."
    )
    category = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="...or any kind in a category."
    )
    service = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Ask this listing's provider only (its kind is the job's).",
    )
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=4000)
    place = serializers.CharField(max_length=80, help_text="The suburb or town, e.g. Bondi.")
    budget_min = serializers.DecimalField(min_value=0, required=False, allow_null=True, **PRICE)
    budget_max = serializers.DecimalField(min_value=0, required=False, allow_null=True, **PRICE)
    date_from = BoundedDateField(required=False, allow_null=True)
    date_to = BoundedDateField(required=False, allow_null=True)


def _lookup(model, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise Invalid(fields={field: message})
    return found


class PagedJobsSerializer(serializers.Serializer):
    next = serializers.IntegerField(allow_null=True, help_text="The next page's number.")
    previous = serializers.IntegerField(allow_null=True)
    results = JobSerializer(many=True)


PAGE = OpenApiParameter("page", int, description="From 1.")
PAGE_SIZE = OpenApiParameter("page_size", int, description="Up to 100 (default 20).")


class JobListView(APIView):
    """GET: the caller's own jobs (role=customer), or the open jobs a provider may quote on
    (role=provider, as the portal's list), newest first. POST: post a job."""

    @extend_schema(
        operation_id="jobs_list", parameters=[ROLE, PAGE, PAGE_SIZE], responses=PagedJobsSerializer
    )
    def get(self, request: Request) -> Response:
        role, provider = _role(request)
        size = parse_int(request.query_params.get("page_size"), minimum=1, maximum=100) or 20
        page = parse_int(request.query_params.get("page"), minimum=1, maximum=MAX_ID // 100) or 1
        offset = (page - 1) * size
        if role == "provider":
            # One row more than the page says whether there is a next one, without counting.
            rows = selectors.jobs_near_provider(provider=provider, offset=offset, limit=size + 1)
        else:
            board = selectors.job_list_for_customer(customer=request.user)
            rows = [*board["open"], *board["accepted"], *board["past"]][offset : offset + size + 1]
        body = {
            "next": page + 1 if len(rows) > size else None,
            "previous": page - 1 if page > 1 else None,
            "results": JobSerializer(rows[:size], many=True, context={"request": request}).data,
        }
        return Response(body)

    @extend_schema(request=JobPostSerializer, responses={201: JobSerializer})
    def post(self, request: Request) -> Response:
        given = JobPostSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        service = None
        if "service" in data:
            service = (
                service_public()
                .select_related("provider", "subcategory", "city")
                .filter(pk=data.pop("service"))
                .first()
            )
            if service is None:
                raise Invalid(fields={"service": "This service is not taking requests."})
        subcategory = _lookup(
            Subcategory, data.pop("subcategory", None), "subcategory", "Choose the kind of job."
        )
        category = _lookup(Category, data.pop("category", None), "category", "No such category.")
        job = services.job_post(
            customer=request.user,
            subcategory=subcategory,
            category=category,
            service=service,
            **data,
        )
        return Response(JobSerializer(job, context={"request": request}).data, status=201)


class JobDetailView(APIView):
    """One job: the caller's own, or one a provider of theirs may see (with `quote` in its
    allowed actions when they may quote on it now)."""

    @extend_schema(responses=JobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        job, provider = _job_for(request, pk)
        context = {"request": request, "can_quote": _can_quote(job, provider)}
        return Response(JobSerializer(job, context=context).data)


class JobWithdrawView(APIView):
    """The customer withdraws an open job; its waiting quotes are declined."""

    @extend_schema(request=None, responses=JobSerializer)
    def post(self, request: Request, pk: int) -> Response:
        job = selectors.job_for_customer(customer=request.user, pk=pk)
        if job is None:
            raise Http404("No such job.")
        job = services.job_withdraw(job=job, actor=request.user)
        return Response(JobSerializer(job, context={"request": request}).data)


# --- Quotes ------------------------------------------------------------------------------------


class LocalDateTimeField(serializers.DateTimeField):
    """A date and time kept naive when sent without an offset: the view reads it in the job's
    city, as the quote page does."""

    def enforce_timezone(self, value: datetime) -> datetime:
        return value if timezone.is_naive(value) else super().enforce_timezone(value)


class QuoteInputSerializer(serializers.Serializer):
    price = serializers.DecimalField(min_value=0, **PRICE, help_text="AUD, including GST.")
    start = LocalDateTimeField(help_text="ISO 8601; without an offset, the time in the job's city.")
    # The bounds keep numbers sane; jobs.services says which durations a job may take.
    duration_minutes = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate_start(self, start: datetime) -> datetime:
        if not DATE_MIN <= start.date() <= DATE_MAX:
            raise serializers.ValidationError(
                f"Choose a time from {DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}."
            )
        return start

    def values(self, job: JobRequest) -> dict:
        data = dict(self.validated_data)
        if data["start"].tzinfo is None:
            data["start"] = data["start"].replace(tzinfo=job.zone)
        return data


class JobQuotesView(generics.ListAPIView):
    """GET: the quotes on the caller's job (with their earlier versions), or a provider's own
    quotes on a job. POST: a provider quotes on a job it may see."""

    serializer_class = QuoteSerializer
    filter_backends: list = []

    def get_queryset(self) -> list[Quote]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator: no caller
            return Quote.objects.none()
        self.job, provider = _job_for(self.request, self.kwargs["pk"])
        if provider is None:
            return selectors.quote_histories(quotes=list(self.job.quotes.all()))
        return selectors.quotes_for_job_and_provider(provider=provider, job=self.job)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "job": getattr(self, "job", None)}

    @extend_schema(request=QuoteInputSerializer, responses={201: QuoteSerializer})
    def post(self, request: Request, pk: int) -> Response:
        provider = _provider(request)
        if provider is None:
            raise NotAllowed(NO_PROFILE)
        job = selectors.job_for_provider(provider=provider, pk=pk)
        if job is None:
            raise Http404("No such job.")
        given = QuoteInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        quote = services.quote_send(job=job, provider=provider, **given.values(job))
        return _quote_answer(request, quote, status=201)


class ProviderQuotesView(generics.ListAPIView):
    """A provider's own quotes, newest first (the portal's list)."""

    serializer_class = QuoteSerializer
    filter_backends: list = []

    def get_queryset(self) -> list[Quote]:
        if getattr(self, "swagger_fake_view", False):
            return Quote.objects.none()
        provider = _provider(self.request)
        if provider is None:
            raise NotAllowed(NO_PROFILE)
        quotes = list(selectors.quotes_for_provider(provider=provider))
        for quote in quotes:
            quote.provider = provider  # all theirs: no query per row for its name and user
        return quotes


class QuoteAcceptView(APIView):
    """The job's customer accepts a quote: a confirmed booking at its price and time."""

    @extend_schema(request=None, responses=QuoteSerializer)
    def post(self, request: Request, pk: int) -> Response:
        quote = services.quote_accept(quote=_customer_quote(request, pk), actor=request.user)
        return _quote_answer(request, quote)


class AskNewTimeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class QuoteAskNewTimeView(APIView):
    """The job's customer asks the provider for another time on a waiting quote."""

    @extend_schema(request=AskNewTimeSerializer, responses=QuoteSerializer)
    def post(self, request: Request, pk: int) -> Response:
        quote = _customer_quote(request, pk)
        given = AskNewTimeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        quote = services.quote_ask_new_time(quote=quote, actor=request.user, **given.validated_data)
        return _quote_answer(request, quote)


class QuoteReviseView(APIView):
    """The provider replaces their waiting quote with a new one (answered: the new one)."""

    @extend_schema(request=QuoteInputSerializer, responses=QuoteSerializer)
    def post(self, request: Request, pk: int) -> Response:
        quote = _provider_quote(request, pk)
        given = QuoteInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        revised = services.quote_revise(quote=quote, actor=request.user, **given.values(quote.job))
        return _quote_answer(request, revised)


class QuoteWithdrawView(APIView):
    """The provider who sent a waiting quote takes it back."""

    @extend_schema(request=None, responses=QuoteSerializer)
    def post(self, request: Request, pk: int) -> Response:
        quote = services.quote_withdraw(quote=_provider_quote(request, pk), actor=request.user)
        return _quote_answer(request, quote)
