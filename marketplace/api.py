"""The REST API's shared pieces: the one error format and pagination (throttles are in
marketplace/api_throttles.py: DRF's views module imports them while it loads).

Every app's `api.py` builds on these (settings.REST_FRAMEWORK names them), so every endpoint
answers errors the same way:

    {"code": "wrong_state", "message": "This booking is already cancelled.", "fields": {}}

`code` is stable (the domain error's code, or DRF's: "invalid", "not_found",
"not_authenticated", "throttled", ...), `message` is for people, and `fields` maps an input's
name to its messages. The domain errors map to the statuses the pages use
(marketplace.pages.error_status: Invalid 400, NotAllowed 403, WrongState and Conflict 409).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, Invalid
from .pages import error_status

_GENERAL = "non_field_errors"


def validated(serializer_class: type, data: Any) -> dict:
    """`data` checked by `serializer_class`: its validated data, or a ValidationError that
    the handler below answers in the one format."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def error_body(*, code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> dict:
    return {"code": code, "message": message, "fields": dict(fields or {})}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"field": [...], "items.0.name": [...]}."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, (Mapping, list)) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or _GENERAL: [str(item) for item in items]}


def _domain_response(error: DomainError) -> Response:
    fields = error.fields if isinstance(error, Invalid) else {}
    message = " ".join(error.general) if isinstance(error, Invalid) else error.message
    if not message:
        message = "Check the fields." if fields else str(error)
    body = error_body(code=error.code, message=message, fields=fields)
    return Response(body, status=error_status(error))


def _drf_response(error: exceptions.APIException, context: dict) -> Response | None:
    response = drf_exception_handler(error, context)
    if response is None:
        return None
    if isinstance(error, exceptions.ValidationError):
        fields = _flatten(error.detail)
        general = fields.pop(_GENERAL, [])
        message = " ".join(general) or "Check the fields."
        response.data = error_body(code="invalid", message=message, fields=fields)
        return response
    codes = error.get_codes()
    code = codes if isinstance(codes, str) else error.default_code
    detail = error.detail
    if isinstance(detail, Mapping):  # simplejwt's token errors carry a dict
        message = str(detail.get("detail", error.default_detail))
        code = str(detail.get("code", code)) if not isinstance(codes, str) else code
    else:
        message = str(detail)
    response.data = error_body(code=code, message=message)
    return response


def exception_handler(error: Exception, context: dict) -> Response | None:
    """The API's one exception handler (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
    if isinstance(error, DomainError):
        return _domain_response(error)
    if isinstance(error, Http404):
        error = exceptions.NotFound()
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    if isinstance(error, exceptions.APIException):
        return _drf_response(error, context)
    return None  # a real bug: Django's 500 handling and logging


class PagePagination(pagination.PageNumberPagination):
    """Page-number pages: ?page=, ?page_size= up to 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CursorPagination(pagination.CursorPagination):
    """Newest first, opaque cursors: for messages and notifications, which grow at the top."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-id"
