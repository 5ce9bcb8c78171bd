"""Helpers for tests that ask a service whether it would do something."""

from collections.abc import Callable

from django.db import transaction

from .errors import DomainError


class _Undo(Exception):
    """Raised inside a savepoint to take back what a service just did."""


def service_accepts(function: Callable[..., object], **kwargs: object) -> bool:
    """Whether `function(**kwargs)` does it (then rolled back), rather than refusing with a
    domain error. Needs a database transaction around it (pytest-django's `db`)."""
    try:
        with transaction.atomic():
            function(**kwargs)
            raise _Undo
    except _Undo:
        return True
    except DomainError:
        return False
