"""The provider portal's Earnings pages: what each paid job earns and where that money is, the
payout history, and the bank details payouts go to.

Everything is read through the signed-in provider, so nobody sees another's earnings.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import provider_required
from accounts.models import ProviderProfile
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error
from marketplace.params import parse_int

from . import selectors
from .portal_forms import PayoutAccountForm
from .services.payout_accounts import payout_account_save


@provider_required
@require_GET
def portal_earnings(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    now = timezone.now()
    page_number = parse_int(request.GET.get("page"), minimum=1, maximum=10_000) or 1
    totals = selectors.provider_earning_totals(provider=provider, now=now)
    return render(
        request,
        "payments/portal/earnings.html",
        {
            "page": selectors.provider_earnings(provider=provider, page=page_number, now=now),
            "totals": [(status, totals[status.value]) for status in selectors.EarningStatus],
            "payouts": list(
                selectors.provider_payouts(provider=provider)[: selectors.PAYOUTS_SHOWN]
            ),
            "account": selectors.payout_account_for(provider=provider),
            "hold_days": settings.PAYOUT_HOLD_DAYS,
        },
    )


def _initial(account) -> dict:
    if account is None:
        return {}
    return {
        "account_name": account.account_name,
        "abn": account.abn,
        "gst_registered": account.gst_registered,
    }


@provider_required
@require_http_methods(["GET", "POST"])
def portal_payout_account(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    account = selectors.payout_account_for(provider=provider)
    posted = request.POST if request.method == "POST" else None  # an empty POST is checked too
    form = PayoutAccountForm(posted, initial=_initial(account))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                payout_account_save(provider=provider, **form.cleaned_data)
            except DomainError as error:
                form_add_error(form, error)
                status = error_status(error)
            else:
                messages.success(
                    request,
                    "Your payout details are saved. Payouts go to this account from now on.",
                )
                return redirect("portal_payout_account")
        else:
            status = 400
    return render(
        request,
        "payments/portal/payout_account.html",
        {"form": form, "account": account},
        status=status,
    )
