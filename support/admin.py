"""Moderating support cases in the admin: the queue of open cases (oldest first, with their
age and the booking's amount), each case with its conversation and trail (read only), and the
three things a moderator does on it, each a form under the case that calls a service:
reply in the conversation, refund part or all of the payment, close with an outcome.

Text is shown as typed and always escaped. The services check who may act (moderators) and
the case's state; the admin only asks for the change permission first.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from marketplace.errors import DomainError
from payments.money import cents, dollars

from . import selectors, services
from .models import (
    MESSAGE_MAX_LENGTH,
    OUTCOME_NOTE_MAX_LENGTH,
    Case,
    CaseEvent,
    CaseMessage,
)

# A refund through a case is at most what one booking costs (the payment service checks the
# real bound: what the customer paid after earlier refunds).
MAX_REFUND = Decimal("9999999.99")
_AMOUNT = re.compile(r"[0-9]{1,7}(\.[0-9]{1,2})?", re.ASCII)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply to both parties",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RefundForm(forms.Form):
    # Text, read below: Django's DecimalField would take "١٢" (Arabic-Indic digits) for 12.
    amount = forms.CharField(label="Amount to refund (AUD)", max_length=12)
    note = forms.CharField(label="Why (both parties are shown it)", max_length=200, required=False)

    def clean_amount(self) -> int:
        """Dollars and cents in ASCII digits ("45.50"), as whole cents."""
        text = self.cleaned_data["amount"].strip().removeprefix("$").replace(",", "")
        if not _AMOUNT.fullmatch(text) or not 0 < Decimal(text) <= MAX_REFUND:
            raise forms.ValidationError(
                "Give the amount in dollars and cents, like 45.50 (more than $0.00)."
            )
        return cents(Decimal(text))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Case.Outcome.choices)
    note = forms.CharField(
        label="Note to both parties",
        max_length=OUTCOME_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CaseMessageInline(_ReadOnlyInline):
    model = CaseMessage
    fields = ["at", "author", "body", "photo_links"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").prefetch_related("photos")

    @admin.display(description="Photos")
    def photo_links(self, message: CaseMessage) -> str:
        return _photo_links(message.photos.all())


class CaseEventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "action", "actor", "detail"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


def _photo_links(photos) -> str:
    return (
        format_html_join(
            " ",
            '<a href="{}">Photo {}</a>',
            (
                (reverse("case_photo", args=[photo.key]), number)
                for number, photo in enumerate(photos, 1)
            ),
        )
        or "-"
    )


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["case", "state", "reason", "age", "amount", "opened_by", "booking_link"]
    list_display_links = ["case"]
    list_filter = ["state", "reason", "outcome"]
    list_select_related = ["opened_by", "booking__service"]
    search_fields = [
        "description",
        "opened_by__email",
        "booking__customer__email",
        "booking__provider__business_name",
    ]
    # The queue: the longest-waiting case first.
    ordering = ["opened_at", "id"]
    readonly_fields = [
        "booking_link", "opened_by", "reason", "description", "report_photos", "state",
        "outcome", "outcome_note", "refunded", "payment", "opened_at", "closed_at", "closed_by",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [CaseMessageInline, CaseEventInline]
    change_form_template = "admin/support/case/change_form.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return selectors.cases_with_amount()

    @admin.display(description="Case", ordering="id")
    def case(self, case: Case) -> str:
        return f"Case {case.pk}: {case.booking.service.title}"

    @admin.display(description="Age", ordering="opened_at")
    def age(self, case: Case) -> str:
        return timesince(case.opened_at, case.closed_at or timezone.now())

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, case: Case) -> str:
        return "-" if case.amount_cents is None else dollars(case.amount_cents)

    @admin.display(description="Booking")
    def booking_link(self, case: Case) -> str:
        url = reverse("admin:bookings_booking_change", args=[case.booking_id])
        return format_html('<a href="{}">Booking {}</a>', url, case.booking_id)

    @admin.display(description="Photos with the report")
    def report_photos(self, case: Case) -> str:
        return _photo_links(selectors.case_report_photos(case=case))

    @admin.display(description="Refunded through this case")
    def refunded(self, case: Case) -> str:
        return dollars(case.refunded_cents)

    @admin.display(description="Payment")
    def payment(self, case: Case) -> str:
        return selectors.payment_summary(payment=selectors.case_payment(case=case))

    # --- the moderator's forms under the case ------------------------------------------

    def get_urls(self):
        def view(function, name):
            wrapped = self.admin_site.admin_view(require_POST(function))
            return path(f"<int:pk>/{name}/", wrapped, name=f"support_case_{name}")

        return [
            view(self.reply_view, "reply"),
            view(self.refund_view, "refund"),
            view(self.close_view, "close"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        extra = {"show_save": False, "show_save_and_continue": False, "show_delete": False}
        if case is not None and self.has_change_permission(request, case):
            payment = selectors.case_payment(case=case)
            extra |= {
                "case_open": case.is_open,
                "reply_form": ReplyForm(),
                "refund_form": RefundForm(),
                "close_form": CloseForm(),
                "refund_blocker": selectors.case_refund_blocker(payment=payment),
                "refundable": dollars(payment.net_cents) if payment else "",
            }
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    def _case_for_change(self, request: HttpRequest, pk: int) -> Case:
        case = Case.objects.filter(pk=pk).select_related("booking__provider").first()
        if case is None:
            raise Http404("No such case.")
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        return case

    def _act(self, request: HttpRequest, pk: int, form_class, act, done: str):
        case = self._case_for_change(request, pk)
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
        else:
            try:
                act(case, form.cleaned_data)
            except DomainError as error:
                for text in error.messages:
                    self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:support_case_change", args=[case.pk]))

    def reply_view(self, request: HttpRequest, pk: int):
        return self._act(
            request, pk, ReplyForm,
            lambda case, data: services.case_post(
                case=case, author=request.user, body=data["body"]
            ),
            "Your reply is in the case; both parties are told.",
        )  # fmt: skip

    def refund_view(self, request: HttpRequest, pk: int):
        return self._act(
            request, pk, RefundForm,
            lambda case, data: services.case_refund(
                case=case, actor=request.user, amount_cents=data["amount"], note=data["note"]
            ),
            "Refunded to the customer's card; both parties are told.",
        )  # fmt: skip

    def close_view(self, request: HttpRequest, pk: int):
        return self._act(
            request, pk, CloseForm,
            lambda case, data: services.case_close(
                case=case, actor=request.user, outcome=data["outcome"], note=data["note"]
            ),
            "The case is closed; both parties are told.",
        )  # fmt: skip
