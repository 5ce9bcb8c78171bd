"""The provider's earnings over the API: each paid job's earning and status with the totals,
the payouts, and the payout details (the account number masked on the way out).

Providers only: anyone signed in without a provider profile is refused (403), and everything
is read through the caller's own profile, so nobody reaches another provider's money.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_for_user
from marketplace.api import PagePagination, validated
from marketplace.errors import NotAllowed

from . import selectors
from .models import Payment, Payout, PayoutAccount
from .services.payout_accounts import ACCOUNT_NAME_MAX_LENGTH, payout_account_save

NOT_A_PROVIDER = "Only providers have earnings: set up your provider profile first."


def _provider(request: Request) -> ProviderProfile:
    provider = provider_profile_for_user(user=request.user)
    if provider is None:
        raise NotAllowed(NOT_A_PROVIDER)
    return provider


class EarningSerializer(serializers.Serializer):
    payment = serializers.IntegerField(source="payment.pk")
    booking = serializers.IntegerField(source="payment.booking_id")
    job = serializers.CharField(source="booking.service.title")
    completed_on = serializers.DateField()
    currency = serializers.CharField(source="payment.currency")
    price_cents = serializers.IntegerField(
        source="payment.net_cents", help_text="What the customer paid, after refunds."
    )
    refunded_cents = serializers.IntegerField(source="payment.refunded_cents")
    fee_cents = serializers.IntegerField(help_text="The platform's fee, after refunds.")
    earned_cents = serializers.IntegerField(source="payment.earned_cents")
    status = serializers.ChoiceField(choices=[s.value for s in selectors.EarningStatus])
    held_by_case = serializers.BooleanField(source="payment.payout_held")
    paid_out_on = serializers.DateField(allow_null=True)


class EarningPagePagination(PagePagination):
    """Pages of earnings, with the provider's totals per status (in cents) beside them."""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paged = super().get_paginated_response_schema(schema)
        totals = {
            "type": "object",
            "properties": {s.value: {"type": "integer"} for s in selectors.EarningStatus},
            "required": [s.value for s in selectors.EarningStatus],
        }
        paged["properties"]["totals"] = totals
        paged["required"] = [*paged.get("required", []), "totals"]
        return paged


class EarningsView(generics.ListAPIView):
    serializer_class = EarningSerializer
    pagination_class = EarningPagePagination
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        self.provider, self.now = _provider(self.request), timezone.now()
        return selectors.provider_paid_payments(
            provider=self.provider, now=self.now
        ).select_related("booking__service__city", "payout")

    def paginate_queryset(self, queryset) -> list[selectors.EarningRow]:
        return [selectors.earning_row(payment) for payment in super().paginate_queryset(queryset)]

    @extend_schema(
        operation_id="portal_earnings_list",
        tags=["earnings"],
        summary="The provider's paid jobs, newest first, with what each earns and its status.",
    )
    def get(self, request: Request) -> Response:
        response = self.list(request)
        response.data["totals"] = selectors.provider_earning_totals(
            provider=self.provider, now=self.now
        )
        return response


class PayoutSerializer(serializers.ModelSerializer):
    drawn_up_at = serializers.DateTimeField(source="batch.created_at")

    class Meta:
        model = Payout
        fields = ["id", "drawn_up_at", "amount_cents", "reference", "state", "paid_at"]


class PayoutsView(generics.ListAPIView):
    serializer_class = PayoutSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payout.objects.none()
        return selectors.provider_payouts(provider=_provider(self.request))

    @extend_schema(
        operation_id="portal_payouts_list",
        tags=["earnings"],
        summary="The provider's payouts, newest first.",
    )
    def get(self, request: Request) -> Response:
        return self.list(request)


class PayoutAccountSerializer(serializers.ModelSerializer):
    bsb = serializers.CharField(source="bsb_display")
    account_number = serializers.CharField(
        source="account_number_masked", help_text="Masked: only the last 3 digits are shown."
    )

    class Meta:
        model = PayoutAccount
        fields = ["account_name", "bsb", "account_number", "abn", "gst_registered", "updated_at"]


class PayoutAccountInputSerializer(serializers.Serializer):
    """Shapes only: the service checks the digits (and says what is wrong)."""

    account_name = serializers.CharField(max_length=ACCOUNT_NAME_MAX_LENGTH * 2, allow_blank=True)
    bsb = serializers.CharField(max_length=20, allow_blank=True, help_text="062-000 or 062000.")
    account_number = serializers.CharField(max_length=20, allow_blank=True)
    abn = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    gst_registered = serializers.BooleanField(required=False, default=False)


class PayoutAccountView(APIView):
    @extend_schema(
        operation_id="portal_payout_account_retrieve",
        tags=["earnings"],
        summary="The provider's payout details (404 until they are set).",
        responses=PayoutAccountSerializer,
    )
    def get(self, request: Request) -> Response:
        account = selectors.payout_account_for(provider=_provider(request))
        if account is None:
            raise Http404("No payout details yet.")
        return Response(PayoutAccountSerializer(account).data)

    @extend_schema(
        operation_id="portal_payout_account_update",
        tags=["earnings"],
        summary="Set or replace the provider's payout details.",
        request=PayoutAccountInputSerializer,
        responses=PayoutAccountSerializer,
    )
    def put(self, request: Request) -> Response:
        provider = _provider(request)
        data = validated(PayoutAccountInputSerializer, request.data)
        account = payout_account_save(provider=provider, **data)
        return Response(PayoutAccountSerializer(account).data)
