"""The provider portal's Earnings pages, included at /portal/earnings/."""

from django.urls import path

from . import portal_views

urlpatterns = [
    path("", portal_views.portal_earnings, name="portal_earnings"),
    path("payout-details/", portal_views.portal_payout_account, name="portal_payout_account"),
]
