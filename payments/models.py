"""Money: a booking's payment through Stripe, its refunds, the double-entry ledger, providers'
payout details and weekly payouts, and the tax invoices.

Amounts are integer cents in PAYMENTS_CURRENCY (AUD), never floats. Every write goes through
payments/services/; the ledger only through payments.ledger.ledger_post.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketplace.storage import private_storage


class StripeCustomer(models.Model):
    """The Stripe customer that holds a person's saved cards (made the first time they add one)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stripe_customer"
    )
    stripe_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stripe_id


class SavedCard(models.Model):
    """A card a customer saved (a Stripe PaymentMethod on their Stripe customer). We keep only
    what the pages show: never the number."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_cards"
    )
    stripe_payment_method_id = models.CharField(max_length=255, unique=True)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    # The card new bookings use; exactly one of a person's cards is the default.
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="one_default_card_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.brand.title()} ending {self.last4}"


class Payment(models.Model):
    """What the customer pays for one booking, held on their card until the job is done.

    The amounts are snapshots taken when the booking is made: `amount_cents` is the booking's
    price, `fee_cents` the platform's commission on it (booking.platform_fee_percent).
    """

    class State(models.TextChoices):
        # No card to charge yet: the customer is asked to add one.
        NEEDS_CARD = "needs_card", "Card needed"
        # A card is saved; it is authorised when the provider accepts, or nearer the day.
        SCHEDULED = "scheduled", "Card saved"
        # Authorised on the card and held until the job is completed.
        HELD = "held", "Payment held"
        # The last authorisation failed: the customer is asked to pay again.
        FAILED = "failed", "Payment failed"
        # Charged: the job was completed (or a cancellation fee was charged).
        PAID = "paid", "Paid"
        # Nothing was charged: declined, expired, or cancelled for free.
        RELEASED = "released", "Not charged"

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.PROTECT, related_name="payment"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.PROTECT, related_name="payments"
    )
    currency = models.CharField(max_length=3, default="aud")
    amount_cents = models.PositiveIntegerField()
    fee_cents = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State, default=State.NEEDS_CARD)
    card = models.ForeignKey(
        SavedCard, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    # The current PaymentIntent (a new one after a failed attempt: `attempts` counts them and
    # names their idempotency keys).
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_message = models.CharField(max_length=300, blank=True)
    # Authorise no earlier than this (the job's start minus PAYMENTS_AUTHORISE_DAYS_AHEAD).
    authorise_after = models.DateTimeField()
    authorised_at = models.DateTimeField(null=True, blank=True)
    captured_cents = models.PositiveIntegerField(default=0)
    captured_at = models.DateTimeField(null=True, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    # Set while a support case on the booking is open: the earning is not paid out.
    payout_held = models.BooleanField(default=False)
    payout = models.ForeignKey(
        "Payout", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["authorise_after"],
                condition=Q(state="scheduled"),
                name="payment_due_authorise_idx",
            ),
            models.Index(fields=["provider", "state"], name="payment_provider_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_cents__lte=models.F("amount_cents")),
                name="payment_fee_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded_cents__lte=models.F("captured_cents")),
                name="payment_refunds_within_capture",
            ),
            models.CheckConstraint(
                condition=Q(captured_cents__lte=models.F("amount_cents")),
                name="payment_capture_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} for booking {self.booking_id}: {self.state}"

    @property
    def net_cents(self) -> int:
        """What the customer has paid, after refunds."""
        return self.captured_cents - self.refunded_cents


class Refund(models.Model):
    """Money given back to the customer, or an authorisation released in part or whole; each
    is shown on the booking with its amount and reason."""

    class Kind(models.TextChoices):
        # A Stripe refund of money already charged.
        REFUND = "refund", "Refund"
        # Part or all of an authorisation let go before it was charged.
        RELEASE = "release", "Released"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField(max_length=7, choices=Kind)
    amount_cents = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="refund_positive"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} of {self.amount_cents} cents on payment {self.payment_id}"
        )


class LedgerTransaction(models.Model):
    """One movement of money, as balanced entries (payments.ledger.ledger_post writes both)."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Customer charge"
        REFUND = "refund", "Refund"
        PAYOUT = "payout", "Payout"

    kind = models.CharField(max_length=6, choices=Kind)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    payout = models.ForeignKey(
        "Payout", on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    memo = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}: {self.memo}"


class LedgerEntry(models.Model):
    """One side of a transaction, in signed cents: debits positive, credits negative. The
    entries of every transaction sum to zero (a deferred constraint trigger checks it at commit,
    migration 0002), so every booking's and the whole platform's entries do too."""

    class Account(models.TextChoices):
        # Money held at Stripe for the platform (an asset: charges in, refunds and payouts out).
        STRIPE = "stripe", "Stripe balance"
        # The platform's commission (revenue).
        PLATFORM_FEES = "platform_fees", "Platform fees"
        # What the platform owes a provider for completed jobs (a liability, per provider).
        PROVIDER_PAYABLE = "provider_payable", "Owed to provider"

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.CharField(max_length=16, choices=Account)
    provider = models.ForeignKey(
        "accounts.ProviderProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    amount_cents = models.BigIntegerField()

    class Meta:
        ordering = ["transaction_id", "id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(account="provider_payable", provider__isnull=False)
                | (~Q(account="provider_payable") & Q(provider__isnull=True)),
                name="ledger_payable_names_provider",
            ),
            models.CheckConstraint(condition=~Q(amount_cents=0), name="ledger_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.get_account_display()}: {self.amount_cents}"


class PayoutAccount(models.Model):
    """Where a provider is paid (an Australian bank account) and what their invoices say
    (ABN, GST registration). Account numbers are shown masked."""

    provider = models.OneToOneField(
        "accounts.ProviderProfile", on_delete=models.CASCADE, related_name="payout_account"
    )
    account_name = models.CharField(max_length=32)
    bsb = models.CharField(max_length=6, help_text="Six digits, no dash.")
    account_number = models.CharField(max_length=9)
    abn = models.CharField("ABN", max_length=11, blank=True, help_text="Eleven digits.")
    gst_registered = models.BooleanField("registered for GST", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(gst_registered=False) | ~Q(abn=""), name="gst_needs_abn"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_name} {self.bsb_display} {self.account_number_masked}"

    @property
    def bsb_display(self) -> str:
        return f"{self.bsb[:3]}-{self.bsb[3:]}"

    @property
    def account_number_masked(self) -> str:
        return "•" * (len(self.account_number) - 3) + self.account_number[-3:]


class PayoutBatch(models.Model):
    """A week's payouts: exported as a bank's bulk-payment CSV, then marked paid by an admin."""

    created_at = models.DateTimeField(auto_now_add=True)
    # Earnings available on or before this moment are in the batch.
    cutoff = models.DateTimeField()
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "payout batches"

    def __str__(self) -> str:
        return f"Payout batch {self.pk} ({self.created_at:%Y-%m-%d})"


class Payout(models.Model):
    """One provider's payout in a batch: the sum of their available earnings."""

    class State(models.TextChoices):
        PENDING = "pending", "In the next bank transfer"
        PAID = "paid", "Paid out"

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="payouts")
    provider = models.ForeignKey(
        "accounts.ProviderProfile", on_delete=models.PROTECT, related_name="payouts"
    )
    amount_cents = models.PositiveIntegerField()
    # The bank details as they were when the batch was drawn up.
    account_name = models.CharField(max_length=32)
    bsb = models.CharField(max_length=6)
    account_number = models.CharField(max_length=9)
    reference = models.CharField(max_length=18)
    state = models.CharField(max_length=7, choices=State, default=State.PENDING)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "provider"], name="one_payout_per_batch"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payout_positive"),
        ]

    def __str__(self) -> str:
        return f"Payout {self.pk} to {self.provider_id}: {self.amount_cents} cents"


class Invoice(models.Model):
    """A PDF for a paid booking: the provider's tax invoice to the customer, or the platform's
    receipt for its fee to the provider. Stored in the private storage (marketplace.storage)."""

    class Kind(models.TextChoices):
        TAX_INVOICE = "tax_invoice", "Tax invoice"
        FEE_RECEIPT = "fee_receipt", "Platform fee receipt"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=11, choices=Kind)
    number = models.CharField(max_length=20, unique=True)
    file = models.FileField(upload_to="invoices/%Y/%m/", max_length=200, storage=private_storage)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "kind"], name="one_invoice_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class WebhookEvent(models.Model):
    """A Stripe event, stored by its id when it arrives (so a replay is recognised) and
    processed once, by a Celery task after commit."""

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=Q(processed_at__isnull=True),
                name="webhook_unprocessed_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"
