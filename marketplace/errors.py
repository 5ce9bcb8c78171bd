"""Typed domain errors: what services and rules raise when they refuse to do something.

Each error has a stable `code` (what API clients, websocket frames and tests match on) and a
message written for people. `Invalid` may also carry errors for single inputs, keyed by the
service's own argument names (never a form's field names: services know nothing of forms).

One adapter per surface maps these classes, so every page, the API and the websockets answer
the same way: `marketplace.pages` for HTML pages and forms (400 / 403 / 409); the API's
exception handler and the Channels consumers map the same classes when they exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    """The base: something the person asked for is refused, and the message says why."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @property
    def messages(self) -> list[str]:
        """Every message this error carries, for a page that shows them in a list."""
        return [self.message] if self.message else []

    def __str__(self) -> str:
        return " ".join(self.messages)


class NotAllowed(DomainError):
    """The person may not do this (it is not theirs, or not their role)."""

    code = "not_allowed"


class WrongState(DomainError):
    """The thing is not in a state that allows this now (already cancelled, started...)."""

    code = "wrong_state"


class Conflict(DomainError):
    """Someone else got there first (the slot was just taken, a quote is already sent)."""

    code = "conflict"


class Unavailable(DomainError):
    """A service we depend on (the payment provider) cannot be reached now; try again later."""

    code = "unavailable"


class Invalid(DomainError):
    """What was given is not acceptable: a general message and/or errors per input."""

    code = "invalid"

    def __init__(
        self,
        message: str | Sequence[str] = "",
        *,
        fields: Mapping[str, str | Sequence[str]] | None = None,
        code: str | None = None,
    ) -> None:
        self.general: list[str] = [message] if isinstance(message, str) else list(message)
        self.general = [text for text in self.general if text]
        self.fields: dict[str, list[str]] = {
            name: [errors] if isinstance(errors, str) else list(errors)
            for name, errors in (fields or {}).items()
        }
        super().__init__(" ".join(self.general) or " ".join(self.messages), code=code)

    @property
    def messages(self) -> list[str]:
        return [*self.general, *(text for errors in self.fields.values() for text in errors)]
