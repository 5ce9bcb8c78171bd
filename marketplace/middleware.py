"""Middleware of our own: headers Django's SecurityMiddleware does not set, a 413 for a request
body over the limit before anything reads it, and a 503 with Retry-After, never a 500, when
there is no database connection to be had.

A burst can ask for more connections than a process's pool holds (`DATABASE_POOL_MAX_SIZE`): a
request waits up to `DATABASE_POOL_TIMEOUT` for one, then psycopg's pool gives up. Without a
pool (DATABASE_POOL=0), PostgreSQL itself may refuse the connection ("too many clients
already", "remaining connection slots are reserved"); with one, the pool keeps retrying such a
refusal in the background (and logs it) until the request's wait runs out. Either way the site
is busy, not broken: the person gets a short page asking them to try again in a moment, the
log a warning, and nothing else is swallowed.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.deprecation import MiddlewareMixin
from django.utils.log import log_response
from psycopg_pool import PoolTimeout, TooManyRequests

from .context_processors import site
from .pages import refused_request_page

RETRY_AFTER_SECONDS = 5
# SQLSTATE 53300 (too_many_connections). A refused connection carries no SQLSTATE in psycopg
# (there is no server result yet), so the server's wording is matched too: the whole server
# full ("sorry, too many clients already"; "remaining connection slots are reserved for ..."),
# or a role's or database's CONNECTION LIMIT reached ("too many connections for role ...").
TOO_MANY_CONNECTIONS = "53300"
REFUSALS = (
    "too many clients already",
    "remaining connection slots are reserved",
    "too many connections for",
)


def database_busy_reason(error: BaseException) -> str | None:
    """Why `error` means no connection could be had right now, or None if it means something
    else. Looks through the exceptions it was raised from (Django wraps the driver's)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PoolTimeout | TooManyRequests):
            return "no connection free in the pool"
        if isinstance(current, OperationalError | psycopg.OperationalError) and (
            getattr(current, "sqlstate", None) == TOO_MANY_CONNECTIONS
            or any(refusal in str(current) for refusal in REFUSALS)
        ):
            return "PostgreSQL refused another connection"
        current = current.__cause__ or current.__context__
    return None


def database_busy_response() -> HttpResponse:
    """The 503 page. Rendered without the request's context processors: they would ask the
    database (the session, the signed-in user) for what it cannot give now."""
    response = HttpResponse(render_to_string("503.html", site(None)), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseBusyMiddleware(MiddlewareMixin):
    """Answers 503 for a request whose view (or template) could not get a connection."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        reason = database_busy_reason(exception)
        if reason is None:
            return None
        response = database_busy_response()
        log_response(
            "Database busy (%s): %s %s",
            reason,
            request.method,
            request.path,
            response=response,
            request=request,
            level="warning",
        )
        return response


def cross_origin_resource_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """`Cross-Origin-Resource-Policy: same-origin` on every response, static files included
    (it sits before WhiteNoise): other sites cannot embed our pages, images or files."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    return middleware


class RequestBodyLimitMiddleware:
    """Refuse, with a 413 page, a request whose declared body (Content-Length) is larger than
    settings.MAX_REQUEST_BODY_BYTES, before anything reads the body.

    Under WSGI (gunicorn) nothing of the body has been read yet, so none of it is parsed or
    written to a temporary file. Under ASGI the server and Django's handler have already
    received it, into temporary files (on disk beyond FILE_UPLOAD_MAX_MEMORY_SIZE), before any
    middleware runs: there it saves the parsing, and the proxy's limit (nginx:
    client_max_body_size) is what keeps the body off the machine.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BODY_BYTES
        if _declared_length(request) > limit:
            return refused_request_page(
                request,
                status=413,
                title="That upload is too large",
                explanation=(
                    f"One request can carry at most {limit / (1024 * 1024):.0f} MB. Choose "
                    "fewer or smaller files and try again."
                ),
            )
        return self.get_response(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body whose length it cannot tell
