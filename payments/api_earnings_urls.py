"""The provider's earnings API under /api/portal/ (views in payments/api_earnings.py)."""

from django.urls import path

from . import api_earnings

urlpatterns = [
    path("portal/earnings/", api_earnings.EarningsView.as_view(), name="api_portal_earnings"),
    path("portal/payouts/", api_earnings.PayoutsView.as_view(), name="api_portal_payouts"),
    path(
        "portal/payout-account/",
        api_earnings.PayoutAccountView.as_view(),
        name="api_portal_payout_account",
    ),
]
