"""The payments API for customers: a booking's payment (state, amounts, refunds, invoices,
card), the saved cards (list, start a SetupIntent, save the confirmed card, make default,
remove) and paying a booking again with a card.

Thin, as the pages are: reads through payments.selectors (another user's booking or card is a
404), every decision and message from payments.services, errors mapped by marketplace.api.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import validated
from marketplace.params import MAX_ID

from . import selectors
from .forms import SETUP_INTENT_MAX_LENGTH
from .models import Invoice, Payment, Refund, SavedCard
from .services import cards as card_services
from .services.lifecycle import payment_pay_again

# --- output ------------------------------------------------------------------------------


class CardSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedCard
        fields = ["id", "brand", "last4", "exp_month", "exp_year", "is_default", "created_at"]
        read_only_fields = fields


class PaymentCardSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedCard
        fields = ["id", "brand", "last4"]
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["kind", "amount_cents", "reason", "created_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = ["id", "kind", "number", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, invoice: Invoice) -> str:
        return reverse("invoice_download", kwargs={"pk": invoice.pk})


class PaymentSerializer(serializers.ModelSerializer):
    """What the booking page's payment panel shows. The platform fee and the provider's
    earning are the provider's to see (null for the customer)."""

    state_label = serializers.SerializerMethodField()
    status_message = serializers.SerializerMethodField()
    fee_cents = serializers.SerializerMethodField()
    provider_earns_cents = serializers.SerializerMethodField()
    paid_cents = serializers.IntegerField(source="net_cents", read_only=True)
    card = PaymentCardSerializer(read_only=True, allow_null=True)
    refunds = RefundSerializer(many=True, read_only=True)
    invoices = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "booking",
            "state",
            "state_label",
            "status_message",
            "currency",
            "amount_cents",
            "fee_cents",
            "provider_earns_cents",
            "captured_cents",
            "refunded_cents",
            "paid_cents",
            "failure_message",
            "authorise_after",
            "authorised_at",
            "captured_at",
            "card",
            "refunds",
            "invoices",
        ]
        read_only_fields = fields

    def _for_provider(self, payment: Payment) -> bool:
        return payment.provider.user_id == self.context["request"].user.pk

    def _status(self, payment: Payment) -> selectors.PaymentStatus:
        return selectors.payment_status(payment=payment, for_provider=self._for_provider(payment))

    def get_state_label(self, payment: Payment) -> str:
        return self._status(payment).label

    def get_status_message(self, payment: Payment) -> str:
        return self._status(payment).sentence

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_fee_cents(self, payment: Payment) -> int | None:
        return payment.fee_cents if self._for_provider(payment) else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_provider_earns_cents(self, payment: Payment) -> int | None:
        return payment.amount_cents - payment.fee_cents if self._for_provider(payment) else None

    @extend_schema_field(InvoiceSerializer(many=True))
    def get_invoices(self, payment: Payment) -> list[dict]:
        user = self.context["request"].user
        return InvoiceSerializer(
            selectors.invoices_for_viewer(payment=payment, user=user), many=True
        ).data


class ClientSecretSerializer(serializers.Serializer):
    client_secret = serializers.CharField()


# --- input -------------------------------------------------------------------------------


class CardSaveSerializer(serializers.Serializer):
    setup_intent = serializers.CharField(max_length=SETUP_INTENT_MAX_LENGTH)


class PayInputSerializer(serializers.Serializer):
    card = serializers.IntegerField(min_value=1, max_value=MAX_ID)


# --- views -------------------------------------------------------------------------------


def _payment(request: Request, pk: int) -> Payment:
    payment = selectors.payment_for_party(user=request.user, booking_id=pk)
    if payment is None:
        raise Http404("No payment on this booking.")
    return payment


def _own_card(request: Request, pk: int) -> None:
    if pk > MAX_ID or not SavedCard.objects.filter(pk=pk, user=request.user).exists():
        raise Http404("No such card.")


class BookingPaymentView(APIView):
    """A booking's payment, for its customer and its provider."""

    @extend_schema(operation_id="bookings_payment_retrieve", responses={200: PaymentSerializer})
    def get(self, request: Request, pk: int) -> Response:
        payment = _payment(request, pk)
        return Response(PaymentSerializer(payment, context={"request": request}).data)


class BookingPayView(APIView):
    """The customer puts one of their saved cards on a payment that needs one, failed or is
    not yet authorised; it is authorised at once when due (`state` says how it went)."""

    @extend_schema(
        operation_id="bookings_payment_pay",
        request=PayInputSerializer,
        responses={200: PaymentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        payment = _payment(request, pk)
        if payment.customer_id != request.user.pk:
            raise Http404("No payment on this booking.")
        data = validated(PayInputSerializer, request.data)
        payment_pay_again(payment_id=payment.pk, actor=request.user, card_id=data["card"])
        payment = _payment(request, pk)
        return Response(PaymentSerializer(payment, context={"request": request}).data)


class CardListView(generics.ListAPIView):
    """The signed-in person's saved cards, the default first."""

    serializer_class = CardSerializer
    queryset = SavedCard.objects.none()  # the schema's model; get_queryset is the person's

    def get_queryset(self):
        return SavedCard.objects.filter(user=self.request.user)

    @extend_schema(operation_id="payments_cards_list")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="payments_cards_create",
        request=CardSaveSerializer,
        responses={201: CardSerializer},
        description="Save the card of a SetupIntent confirmed with Stripe.js (from "
        "setup-intents); it becomes the default card.",
    )
    def post(self, request: Request) -> Response:
        data = validated(CardSaveSerializer, request.data)
        card = card_services.card_save(user=request.user, setup_intent_id=data["setup_intent"])
        return Response(CardSerializer(card).data, status=status.HTTP_201_CREATED)


class SetupIntentView(APIView):
    @extend_schema(
        operation_id="payments_cards_setup_intent_create",
        request=None,
        responses={201: ClientSecretSerializer},
        description="A SetupIntent's client secret: confirm it with Stripe.js "
        "(stripe.confirmCardSetup), then POST its id to /api/payments/cards/.",
    )
    def post(self, request: Request) -> Response:
        client_secret = card_services.card_setup_start(user=request.user)
        return Response({"client_secret": client_secret}, status=status.HTTP_201_CREATED)


class CardDefaultView(APIView):
    @extend_schema(
        operation_id="payments_cards_default", request=None, responses={200: CardSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        _own_card(request, pk)
        card = card_services.card_make_default(user=request.user, card_id=pk)
        return Response(CardSerializer(card).data)


class CardDetailView(APIView):
    @extend_schema(operation_id="payments_cards_destroy", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        _own_card(request, pk)
        card_services.card_remove(user=request.user, card_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
