"""Domain events: signals a lower app sends after commit so upper apps can react without it
importing them (reviews and chat react to bookings; bookings never imports them).

`send_on_commit` sends when the surrounding transaction commits (at once outside one), with
`send_robust`: a receiver that fails is logged and cannot undo or break the change that
already happened, nor stop the other receivers.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


def send_on_commit(signal: Signal, *, sender: type, **kwargs: object) -> None:
    def send() -> None:
        for receiver, outcome in signal.send_robust(sender=sender, **kwargs):
            if isinstance(outcome, Exception):
                logger.error(
                    "Receiver %r of a domain event failed",
                    receiver,
                    exc_info=(type(outcome), outcome, outcome.__traceback__),
                )

    transaction.on_commit(send)
