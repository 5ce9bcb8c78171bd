"""The money in the admin: payments, refunds, the ledger, payouts and their weekly batches,
invoices, Stripe's webhook events, payout details, and customers' saved cards.

Everything is read only: money moves only through payments/services (a refund through the
support case or payments.services.refunds, a payout through the batch's actions), so no amount
is ever typed into a form here, and nothing the ledger refers to can be added or deleted.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from marketplace.errors import DomainError

from .models import (
    Invoice,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
    PayoutAccount,
    PayoutBatch,
    Refund,
    SavedCard,
    StripeCustomer,
    WebhookEvent,
)
from .money import dollars
from .services.payouts import payout_batch_export, payout_batch_mark_paid


def _link(obj) -> str:
    if obj is None:
        return "-"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, str(obj))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows to read (and act on through actions), never to add, edit or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["created_at", "kind", "amount", "reason", "actor"]
    readonly_fields = fields

    @admin.display(description="Amount")
    def amount(self, refund: Refund) -> str:
        return dollars(refund.amount_cents)


class InvoiceInline(ReadOnlyInline):
    model = Invoice
    fields = ["number", "kind", "created_at", "emailed_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "id", "booking_link", "customer", "provider", "amount", "state", "captured_at",
        "payout_held", "payout",
    ]  # fmt: skip
    list_filter = ["state", "payout_held"]
    list_select_related = ["booking", "customer", "provider", "payout"]
    search_fields = [
        "=booking__id",
        "customer__email",
        "provider__business_name",
        "=stripe_payment_intent_id",
    ]
    search_help_text = "A booking number, the customer's email, the business name or an intent id."
    inlines = [RefundInline, InvoiceInline]
    show_full_result_count = False

    @admin.display(description="Booking", ordering="booking")
    def booking_link(self, payment: Payment) -> str:
        return format_html(
            '<a href="{}">{}</a>', payment.booking.get_absolute_url(), payment.booking_id
        )

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, payment: Payment) -> str:
        return dollars(payment.amount_cents)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "payment", "kind", "amount", "reason", "actor"]
    list_filter = ["kind"]
    list_select_related = ["payment", "actor"]
    search_fields = ["=payment__booking__id", "payment__customer__email", "reason"]

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, refund: Refund) -> str:
        return dollars(refund.amount_cents)


class LedgerEntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = ["account", "provider", "amount"]
    readonly_fields = fields

    @admin.display(description="Amount (debit +, credit -)")
    def amount(self, entry: LedgerEntry) -> str:
        return dollars(entry.amount_cents)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "payment", "payout", "memo"]
    list_filter = ["kind"]
    list_select_related = ["payment", "payout"]
    search_fields = ["=payment__booking__id", "memo"]
    inlines = [LedgerEntryInline]


class PayoutInline(ReadOnlyInline):
    model = Payout
    fields = ["provider", "amount", "bsb", "account_number", "account_name", "reference", "state"]
    readonly_fields = fields

    @admin.display(description="Amount")
    def amount(self, payout: Payout) -> str:
        return dollars(payout.amount_cents)


@admin.action(description="Export bank CSV (one batch)")
def export_bank_csv(modeladmin, request: HttpRequest, queryset) -> HttpResponse | None:
    batches = list(queryset[:2])
    if len(batches) != 1:
        modeladmin.message_user(request, "Select one batch to export.", messages.ERROR)
        return None
    batch = batches[0]
    response = HttpResponse(
        payout_batch_export(batch=batch), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate(batch.created_at).isoformat()
    response["Content-Disposition"] = f'attachment; filename="payouts-{batch.pk}-{stamp}.csv"'
    return response


@admin.action(description="Mark as paid (after paying the bank file)")
def mark_paid(modeladmin, request: HttpRequest, queryset) -> None:
    for batch in queryset:
        try:
            payout_batch_mark_paid(batch=batch, actor=request.user)
        except DomainError as error:
            modeladmin.message_user(request, f"{batch}: {error.message}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{batch} is marked paid; providers are told.")


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "cutoff", "payout_count", "total", "exported_at", "paid_at"]
    inlines = [PayoutInline]
    actions = [export_bank_csv, mark_paid]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(payout_count=Count("payouts"), total_cents=Sum("payouts__amount_cents"))
        )

    @admin.display(description="Payouts", ordering="payout_count")
    def payout_count(self, batch: PayoutBatch) -> int:
        return batch.payout_count

    @admin.display(description="Total", ordering="total_cents")
    def total(self, batch: PayoutBatch) -> str:
        return dollars(batch.total_cents or 0)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "batch", "provider", "amount", "reference", "state", "paid_at"]
    list_filter = ["state"]
    list_select_related = ["batch", "provider"]
    search_fields = ["provider__business_name", "reference"]

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, payout: Payout) -> str:
        return dollars(payout.amount_cents)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "payment", "created_at", "emailed_at", "download"]
    list_filter = ["kind"]
    list_select_related = ["payment"]
    search_fields = ["number", "=payment__booking__id", "payment__customer__email"]
    exclude = ["file"]  # served through the parties' download view, never as a media link

    @admin.display(description="PDF")
    def download(self, invoice: Invoice) -> str:
        return format_html(
            '<a href="{}">Download</a>', reverse("invoice_download", args=[invoice.pk])
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["stripe_id", "type", "received_at", "processed_at", "has_error"]
    list_filter = ["type"]
    search_fields = ["=stripe_id", "type"]

    @admin.display(description="Error", boolean=True)
    def has_error(self, event: WebhookEvent) -> bool:
        return bool(event.error)


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    """Providers change their own details in the portal, where they are validated."""

    list_display = [
        "provider",
        "account_name",
        "bsb_display",
        "account_number_masked",
        "abn",
        "gst_registered",
        "updated_at",
    ]
    list_select_related = ["provider"]
    search_fields = ["provider__business_name", "account_name", "abn"]
    exclude = ["account_number"]
    readonly_fields = ["account_number_masked"]


@admin.register(StripeCustomer)
class StripeCustomerAdmin(ReadOnlyAdmin):
    list_display = ["user", "stripe_id", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "=stripe_id"]


@admin.register(SavedCard)
class SavedCardAdmin(ReadOnlyAdmin):
    list_display = ["user", "brand", "last4", "exp_month", "exp_year", "is_default"]
    list_select_related = ["user"]
    search_fields = ["user__email", "=last4"]
