"""The payments API for customers (views in payments/api.py): a booking's payment, saved
cards, paying again."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "bookings/<int:pk>/payment/", api.BookingPaymentView.as_view(), name="api_booking_payment"
    ),
    path(
        "bookings/<int:pk>/payment/pay/",
        api.BookingPayView.as_view(),
        name="api_booking_payment_pay",
    ),
    path("payments/cards/", api.CardListView.as_view(), name="api_card_list"),
    path(
        "payments/cards/setup-intents/",
        api.SetupIntentView.as_view(),
        name="api_card_setup_intent",
    ),
    path("payments/cards/<int:pk>/", api.CardDetailView.as_view(), name="api_card_detail"),
    path(
        "payments/cards/<int:pk>/default/", api.CardDefaultView.as_view(), name="api_card_default"
    ),
]
