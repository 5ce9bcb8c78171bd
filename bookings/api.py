"""The bookings API: free slots, booking, one's own bookings and every transition.

Thin like the pages (bookings.views): the same selectors read, bookings.rules says what the
caller may do now, bookings.services act, and their domain errors answer in the API's one
format (marketplace.api.exception_handler). A booking is looked up through the caller (its
customer or its provider), so anybody else gets a 404.
"""

from __future__ import annotations

from datetime import date, timedelta

import django_filters
from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.errors import Invalid
from marketplace.params import DATE_MAX, DATE_MIN, MAX_ID, parse_date

from . import selectors, services
from .models import Booking, BookingEvent
from .policies import (
    booking_cancellation_terms,
    booking_cancellation_timeline,
    booking_total,
    timeline_sentence,
)
from .rules import BookingAction, booking_allowed_actions, booking_check
from .slots import booking_when, local_today, service_slots_between, slot_parse, slot_value

SLOT_RANGE_DAYS = 14
START_HELP = "A free time's `value` from /api/bookings/slots/: its UTC start, 2026-03-14T22:00Z."


@extend_schema_field(OpenApiTypes.DATE)
class BoundedDateField(serializers.Field):
    """An ISO date from DATE_MIN to DATE_MAX, read by marketplace.params.parse_date."""

    default_error_messages = {"date": "Enter a date from {minimum} to {maximum}, like 2026-03-14."}

    def to_internal_value(self, data) -> date:
        day = parse_date(data) if isinstance(data, str) and len(data) == 10 else None
        if day is None:
            self.fail("date", minimum=DATE_MIN.isoformat(), maximum=DATE_MAX.isoformat())
        return day

    def to_representation(self, value) -> str:
        return value.isoformat()


# --- Output ------------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(source="get_action_display")
    # Plain text: the statuses' choices are documented once, on the booking's `status`.
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = BookingEvent
        fields = [
            "action",
            "action_label",
            "from_status",
            "to_status",
            "actor_name",
            "reason",
            "at",
        ]
        read_only_fields = fields

    def get_actor_name(self, event: BookingEvent) -> str:
        return event.actor.name if event.actor else ""


class BookingSerializer(serializers.ModelSerializer):
    """A booking as the caller sees it: every field is read-only (services write bookings)."""

    # Text, not an enum: every app's models name their choices "Status", and the schema
    # would need an ENUM_NAME_OVERRIDES entry (settings) for each of them.
    status = serializers.CharField(help_text="One of: " + ", ".join(Booking.Status.values) + ".")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    when = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    service_title = serializers.CharField(source="service.title")
    provider_name = serializers.CharField(source="provider.business_name")
    customer_name = serializers.CharField(source="customer.name")
    proposed_start = serializers.SerializerMethodField()
    proposed_end = serializers.SerializerMethodField()
    proposed_by_me = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "status",
            "status_label",
            "service",
            "service_title",
            "provider",
            "provider_name",
            "customer",
            "customer_name",
            "start",
            "end",
            "when",
            "address",
            "notes",
            "price_type",
            "price",
            "total",
            "cancellation_policy",
            "cancellation_fee",
            "cancellation_reason",
            "proposed_start",
            "proposed_end",
            "proposed_by_me",
            "created_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    def _viewer(self):
        return self.context["request"].user

    def get_when(self, booking: Booking) -> str:
        return booking_when(booking)

    def get_status_label(self, booking: Booking) -> str:
        return selectors.booking_status_label(booking=booking, viewer=self._viewer())

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_proposed_start(self, booking: Booking):
        return booking.proposed_period.lower if booking.proposed_period else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_proposed_end(self, booking: Booking):
        return booking.proposed_period.upper if booking.proposed_period else None

    def get_proposed_by_me(self, booking: Booking) -> bool:
        return booking.proposed_by_id is not None and booking.proposed_by_id == self._viewer().pk

    # Money as text ("120.00"), as DRF writes decimals; null when the price is on quote.
    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_total(self, booking: Booking):
        total = booking_total(booking=booking)
        return None if total is None else f"{total:.2f}"

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(BookingAction)))
    def get_allowed_actions(self, booking: Booking) -> list[str]:
        actions = booking_allowed_actions(booking=booking, user=self._viewer())
        return sorted(str(action) for action in actions)


class BookingDetailSerializer(BookingSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "timeline"]
        read_only_fields = fields

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, booking: Booking) -> list:
        return EventSerializer(selectors.booking_events(booking=booking), many=True).data


def _own_booking(request: Request, pk: int) -> Booking:
    booking = selectors.booking_for_user(user=request.user, pk=pk)
    if booking is None:
        raise Http404("No such booking.")
    return booking


def _detail(request: Request, booking: Booking, status: int = 200) -> Response:
    booking = _own_booking(request, booking.pk)  # re-read: the services lock and change it
    return Response(BookingDetailSerializer(booking, context={"request": request}).data, status)


# --- Free slots --------------------------------------------------------------------------------


class SlotQuerySerializer(serializers.Serializer):
    service = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    date_from = BoundedDateField(required=False, help_text="Default: today in the service's city.")
    date_to = BoundedDateField(
        required=False, help_text=f"Default and most: {SLOT_RANGE_DAYS} days from date_from."
    )


class SlotSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="What to send as `start` to book this time.")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    label = serializers.CharField()


class SlotDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    slots = SlotSerializer(many=True)


class SlotsSerializer(serializers.Serializer):
    service = serializers.IntegerField()
    zone = serializers.CharField()
    days = SlotDaySerializer(many=True)


class SlotsView(APIView):
    """The free times of a bookable service, day by day (the booking page's strip)."""

    @extend_schema(parameters=[SlotQuerySerializer], responses=SlotsSerializer)
    def get(self, request: Request) -> Response:
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        service = selectors.bookable_service_get(pk=query.validated_data["service"])
        if service is None:
            raise Http404("This service is not taking bookings.")
        first = query.validated_data.get("date_from") or local_today(service=service)
        last = query.validated_data.get("date_to") or first + timedelta(days=SLOT_RANGE_DAYS - 1)
        if last < first:
            raise Invalid(fields={"date_to": "Choose a day on or after date_from."})
        if (last - first).days >= SLOT_RANGE_DAYS:
            raise Invalid(fields={"date_to": f"Ask for {SLOT_RANGE_DAYS} days at most."})
        by_day = service_slots_between(service=service, first_day=first, last_day=last)
        days = [
            {
                "date": day,
                "slots": [
                    {"value": slot.value, "start": slot.start, "end": slot.end, "label": slot.label}
                    for slot in slots
                ],
            }
            for day, slots in by_day.items()
        ]
        body = {"service": service.pk, "zone": service.city.timezone, "days": days}
        return Response(SlotsSerializer(body).data)


# --- Booking and listing -----------------------------------------------------------------------


def _start(value: str) -> object:
    start = slot_parse(value)
    if start is None or slot_value(start) != value:
        raise serializers.ValidationError("Send a free time's value, like 2026-03-14T22:00Z.")
    return start


class BookingCreateSerializer(serializers.Serializer):
    service = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = serializers.CharField(max_length=20, help_text=START_HELP, validators=[_start])
    street_address = serializers.CharField(max_length=150)
    place = serializers.CharField(max_length=80, help_text="The suburb or town, e.g. Bondi.")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BookingFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        choices=[("customer", "customer"), ("provider", "provider")],
        method="filter_role",
        label="Only the bookings you made (customer) or the ones made with you (provider).",
    )
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices)

    class Meta:
        model = Booking
        fields = ["role", "status"]

    def filter_role(self, queryset: QuerySet[Booking], name: str, value: str):
        user = self.request.user
        if value == "customer":
            return queryset.filter(customer=user)
        return queryset.filter(provider__user=user)


class BookingListView(generics.ListCreateAPIView):
    """GET: the caller's bookings (as customer and as provider), newest time first.
    POST: book a free time of a service (bookings.services.booking_create)."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilter

    def get_queryset(self) -> QuerySet[Booking]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator: no caller
            return Booking.objects.none()
        user = self.request.user
        return (
            Booking.objects.filter(Q(customer=user) | Q(provider__user=user))
            .select_related("service__city", "provider__user", "customer")
            .order_by("-period", "-id")
        )

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingDetailSerializer})
    def post(self, request: Request) -> Response:
        given = BookingCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        service = selectors.bookable_service_get(pk=data["service"])
        if service is None:
            raise Invalid(fields={"service": "This service is not taking bookings."})
        booking = services.booking_create(
            customer=request.user,
            service=service,
            start=slot_parse(data["start"]),
            street_address=data["street_address"],
            place=data["place"],
            notes=data["notes"],
        )
        return _detail(request, booking, status=201)


class BookingDetailView(APIView):
    """One of the caller's bookings, with its timeline and the actions they may take now."""

    @extend_schema(responses=BookingDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, _own_booking(request, pk))


class CancellationSerializer(serializers.Serializer):
    fee = serializers.DecimalField(max_digits=9, decimal_places=2)
    percent = serializers.IntegerField()
    explanation = serializers.CharField()
    fee_timeline = serializers.CharField()


class CancellationView(APIView):
    """What cancelling now would cost the caller, shown before they cancel (as the page)."""

    @extend_schema(responses=CancellationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        booking = _own_booking(request, pk)
        booking_check(booking=booking, user=request.user, action=BookingAction.CANCEL)
        terms = booking_cancellation_terms(booking=booking, actor=request.user)
        steps = booking_cancellation_timeline(booking=booking, actor=request.user)
        sentence = (
            timeline_sentence(steps, total=booking_total(booking=booking), zone=booking.zone)
            if steps
            else ""
        )
        body = {
            "fee": terms.fee,
            "percent": terms.percent,
            "explanation": terms.explanation,
            "fee_timeline": sentence,
        }
        return Response(CancellationSerializer(body).data)


# --- Transitions -------------------------------------------------------------------------------


class NoInputSerializer(serializers.Serializer):
    pass


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    # Required by the service (its message), not here: the page and the API say the same.
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RescheduleSerializer(serializers.Serializer):
    start = serializers.CharField(max_length=20, help_text=START_HELP, validators=[_start])


class TransitionView(APIView):
    """POST a transition; the answer is the booking after it. Subclasses name the service."""

    input_serializer: type[serializers.Serializer] = NoInputSerializer

    def act(self, booking: Booking, actor, data: dict) -> Booking:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        booking = _own_booking(request, pk)
        given = self.input_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        return _detail(request, self.act(booking, request.user, given.validated_data))


def _transition(name: str, function, serializer=NoInputSerializer, **extra) -> type[APIView]:
    """A TransitionView calling `function(booking=, actor=, **fields)`, documented."""

    def act(self, booking, actor, data):
        return function(booking=booking, actor=actor, **data, **extra)

    view = type(name, (TransitionView,), {"input_serializer": serializer, "act": act})
    view.__doc__ = (function.__doc__ or "").split("\n\n")[0] or f"{name}."
    return extend_schema(
        request=None if serializer is NoInputSerializer else serializer,
        responses=BookingDetailSerializer,
    )(view)


def _reschedule(*, booking, actor, start: str) -> Booking:
    return services.booking_reschedule_propose(
        booking=booking, actor=actor, start=slot_parse(start)
    )


AcceptView = _transition("AcceptView", services.booking_accept)
DeclineView = _transition("DeclineView", services.booking_decline, ReasonSerializer)
CancelView = _transition("CancelView", services.booking_cancel, CancelSerializer)
RescheduleView = _transition("RescheduleView", _reschedule, RescheduleSerializer)
RescheduleAcceptView = _transition("RescheduleAcceptView", services.booking_reschedule_accept)
RescheduleDeclineView = _transition(
    "RescheduleDeclineView", services.booking_reschedule_decline, ReasonSerializer
)
CompleteView = _transition("CompleteView", services.booking_complete)
