"""The payments' pages (included at the root: their paths are written out in full)."""

from django.urls import path

from . import invoice_views

urlpatterns = [
    path("payments/invoices/<int:pk>/", invoice_views.invoice_download, name="invoice_download"),
]
