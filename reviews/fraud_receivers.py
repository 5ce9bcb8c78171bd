"""The fraud rules that run on sign-ups (allauth's `user_signed_up`).

They run after the sign-up commits (accounts/receivers.py has written its sign-up record in
the same transaction by then) and never break a sign-up: a failure is logged, and the daily
scan (reviews.tasks.fraud_scan_daily) raises what was missed.
"""

import logging

from allauth.account.signals import user_signed_up
from django.db import transaction
from django.dispatch import receiver

from .fraud import sign_up_assess

logger = logging.getLogger(__name__)


@receiver(user_signed_up, dispatch_uid="reviews.fraud_sign_up")
def assess_sign_up(sender, request, user, **kwargs) -> None:
    transaction.on_commit(lambda: _assess(user))


def _assess(user) -> None:
    try:
        sign_up_assess(user=user)
    except Exception:
        logger.exception("The sign-up fraud rules failed for user %s", user.pk)
