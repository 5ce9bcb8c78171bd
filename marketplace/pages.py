"""How HTML pages show a domain error: on a form, as flash messages, with the right status.

The one adapter between marketplace.errors and Django's forms and messages, so every view
answers a refusal the same way: Invalid -> 400, NotAllowed -> 403, WrongState and Conflict
-> 409. (Objects a person may not see at all are 404s before any service is called.)
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import Conflict, DomainError, Invalid, NotAllowed, Unavailable, WrongState

_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (Invalid, 400),
    (NotAllowed, 403),
    (WrongState, 409),
    (Conflict, 409),
    (Unavailable, 503),
)


def error_status(error: DomainError) -> int:
    """The HTTP status a page answers this error with."""
    for error_class, status in _STATUS:
        if isinstance(error, error_class):
            return status
    return 400


def form_add_error(
    form: forms.Form, error: DomainError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Show `error` on `form`: each input's errors next to its field, the rest at the top.

    `fields` maps a service's argument names to the form's field names where they differ
    (e.g. {"upload": "avatar"}); an input the form has no field for goes to the top.
    """
    names = dict(fields or {})
    if not isinstance(error, Invalid):
        form.add_error(None, error.message)
        return
    for text in error.general:
        form.add_error(None, text)
    for argument, texts in error.fields.items():
        name = names.get(argument, argument)
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def messages_add_error(request: HttpRequest, error: DomainError) -> None:
    """Flash every message of `error` (for actions that redirect back to a page)."""
    for text in error.messages:
        messages.error(request, text)


def refused_request_page(
    request: HttpRequest, *, status: int, title: str, explanation: str
) -> HttpResponse:
    """The page for a request refused before its view ran (a body too large, too many files):
    what happened, what to do, and a link back to the page the person came from."""
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return render(
        request,
        "marketplace/request_refused.html",
        {"title": title, "explanation": explanation, "back_url": referer if safe else ""},
        status=status,
    )
