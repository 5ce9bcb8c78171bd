"""The payments' pages (included at the root, before bookings' /bookings/<id>/<action>/: their
paths are written out in full)."""

from django.urls import path

from . import invoice_views, views

urlpatterns = [
    path("payments/stripe.js", views.stripe_js, name="stripe_js"),
    path("payments/cards/", views.card_list, name="card_list"),
    path("payments/cards/setup/", views.card_setup, name="card_setup"),
    path("payments/cards/save/", views.card_save, name="card_save"),
    path("payments/cards/<int:pk>/default/", views.card_default, name="card_default"),
    path("payments/cards/<int:pk>/remove/", views.card_remove, name="card_remove"),
    path("bookings/<int:pk>/pay/", views.booking_pay, name="booking_pay"),
    path("payments/invoices/<int:pk>/", invoice_views.invoice_download, name="invoice_download"),
]
