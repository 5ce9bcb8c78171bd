"""The API's authorization matrix: every operation under /api/ (found by walking the URL
resolver and by drf-spectacular's schema) has a row saying what anonymous, another customer,
another provider, the owner and a moderator get, and each cell is checked against a world built
with the factories. A new endpoint without a row fails `test_every_operation_has_a_row`: add one.

A cell is a status code, or PASSES: the caller got past authentication and authorization (any
answer below 500 other than 401, 403 and 404; an empty body may well be refused with 400).
Every refusal must come in the API's one error format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.admindocs.views import simplify_regex
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import user_suspend
from accounts.tests.factories import PASSWORD, ProviderProfileFactory, UserFactory
from accounts.tests.moderators import moderator_make
from bookings.tests.factories import BookingFactory
from chat import services as chat_services
from jobs import services as job_services
from jobs.tests.support import send_quote
from listings.models import Service
from listings.tests.factories import ServiceFactory, ServicePhotoFactory, SubcategoryFactory
from notifications.tests.factories import NotificationFactory
from payments.services.opening import payment_open
from payments.services.payout_accounts import payout_account_save
from payments.testing import card_saved
from reviews import services as review_services
from reviews.tests.factories import ReviewFactory, completed_booking
from support.tests.factories import CaseFactory

PASSES = "passes"
ROLES = ("anonymous", "other_customer", "other_provider", "owner", "moderator")
DENIALS = {401, 403, 404}
METHODS = {"get", "post", "put", "patch", "delete"}
# Served under /api/ but not operations of the API itself: the schema and its Swagger UI.
NOT_IN_SCHEMA = {"/api/schema/", "/api/docs/"}


@dataclass(frozen=True)
class Row:
    """What each role gets. The defaults describe a private endpoint with no object in its
    path (a list, a create, one's own profile): anonymous 401, everyone signed in passes."""

    anonymous: int | str = 401
    other_customer: int | str = PASSES
    other_provider: int | str = PASSES
    owner: int | str = PASSES
    moderator: int | str = PASSES
    # Who the owner is ("customer" or "provider" of the world), and the path's values.
    owner_is: str = "customer"
    params: Callable[[SimpleNamespace], dict[str, Any]] = field(default=lambda world: {})
    query: Callable[[SimpleNamespace], dict[str, Any]] = field(default=lambda world: {})


def public(**params: str) -> Row:
    """Anyone may read it; `params` name the world's attributes the path's values come from."""
    return Row(200, 200, 200, 200, 200, params=_from_world(params))


def private(owner_is: str = "customer", **params: str) -> Row:
    """Only the owner's: everyone else signed in gets 404, as if it did not exist."""
    return Row(401, 404, 404, PASSES, 404, owner_is=owner_is, params=_from_world(params))


def providers_own(**params: str) -> Row:
    """A provider's action on its own object: a customer or a moderator (no provider) gets 403,
    another provider 404."""
    return Row(401, 403, 404, PASSES, 403, owner_is="provider", params=_from_world(params))


def _from_world(params: dict[str, str]) -> Callable[[SimpleNamespace], dict[str, Any]]:
    def values(world: SimpleNamespace) -> dict[str, Any]:
        found = {}
        for name, dotted in params.items():
            value = world
            for attribute in dotted.split("."):
                value = getattr(value, attribute)
            found[name] = value
        return found

    return values


def provider_only(**params: str) -> Row:
    """A provider's endpoint with no object of another's in its path: 403 to a customer and a
    moderator (neither is a provider)."""
    return Row(401, 403, PASSES, PASSES, 403, owner_is="provider", params=_from_world(params))


SIGNED_IN = Row()
# Anyone, signed in or not (signing up and in, resetting a password): an empty body is a 400.
OPEN = Row(anonymous=PASSES)
CONVERSATION = private(id="conversation.pk")
BOOKING = private(id="booking.pk")
BOOKING_PROVIDER = private("provider", id="booking.pk")
JOB = private(id="job.pk")
# A provider whose listings match the job sees it (to quote on it), with its own quotes only.
JOB_SEEN_BY_MATCHING_PROVIDERS = Row(401, 404, 200, 200, 404, params=JOB.params)
QUOTE = private(id="quote.pk")  # the customer's, whose job it answers
QUOTE_PROVIDER = private("provider", id="quote.pk")
DRAFT = providers_own(id="draft_service.pk")
# A support case: its booking's two parties and the moderators; anyone else as if it were not.
CASE = Row(401, 404, 404, PASSES, PASSES, params=_from_world({"id": "case.pk"}))
# The owner has payout details; the other provider has none yet (404 until set).
PAYOUT_ACCOUNT = Row(401, 403, 404, PASSES, 403, owner_is="provider")

# (path as in the schema, method) -> Row. Keep it in path order.
ROWS: dict[tuple[str, str], Row] = {
    ("/api/auth/logout/", "post"): OPEN,  # the refresh token is the credential
    ("/api/auth/password/change/", "post"): SIGNED_IN,
    ("/api/auth/password/reset/", "post"): OPEN,
    ("/api/auth/password/reset/confirm/", "post"): OPEN,
    ("/api/auth/signup/", "post"): OPEN,
    ("/api/auth/token/", "post"): OPEN,
    ("/api/auth/token/refresh/", "post"): OPEN,
    ("/api/auth/verify-email/", "post"): OPEN,
    ("/api/bookings/", "get"): SIGNED_IN,
    ("/api/bookings/", "post"): SIGNED_IN,
    ("/api/bookings/slots/", "get"): Row(
        401, 200, 200, 200, 200, query=lambda world: {"service": world.service.pk}
    ),
    ("/api/bookings/{id}/", "get"): BOOKING,
    ("/api/bookings/{id}/accept/", "post"): BOOKING_PROVIDER,
    ("/api/bookings/{id}/cancel/", "post"): BOOKING,
    ("/api/bookings/{id}/cancellation/", "get"): BOOKING,
    ("/api/bookings/{id}/complete/", "post"): BOOKING_PROVIDER,
    # The booking's two parties read its payment (the customer is the row's owner).
    ("/api/bookings/{id}/payment/", "get"): BOOKING,
    ("/api/bookings/{id}/payment/pay/", "post"): BOOKING,
    ("/api/bookings/{id}/decline/", "post"): BOOKING_PROVIDER,
    ("/api/bookings/{id}/reschedule/", "post"): BOOKING_PROVIDER,
    ("/api/bookings/{id}/reschedule/accept/", "post"): BOOKING,
    ("/api/bookings/{id}/reschedule/decline/", "post"): BOOKING,
    ("/api/categories/", "get"): public(),
    ("/api/cities/", "get"): public(),
    ("/api/conversations/", "get"): SIGNED_IN,
    ("/api/conversations/", "post"): SIGNED_IN,
    ("/api/conversations/{id}/messages/", "get"): CONVERSATION,
    ("/api/conversations/{id}/messages/", "post"): CONVERSATION,
    ("/api/conversations/{id}/read/", "post"): CONVERSATION,
    ("/api/docs/", "get"): public(),
    ("/api/jobs/", "get"): SIGNED_IN,
    ("/api/jobs/", "post"): SIGNED_IN,
    ("/api/jobs/{id}/", "get"): JOB_SEEN_BY_MATCHING_PROVIDERS,
    ("/api/jobs/{id}/quotes/", "get"): JOB_SEEN_BY_MATCHING_PROVIDERS,
    ("/api/jobs/{id}/quotes/", "post"): provider_only(id="job.pk"),
    ("/api/jobs/{id}/withdraw/", "post"): JOB,
    ("/api/notifications/", "get"): SIGNED_IN,
    ("/api/payments/cards/", "get"): SIGNED_IN,
    ("/api/payments/cards/", "post"): SIGNED_IN,
    ("/api/payments/cards/setup-intents/", "post"): SIGNED_IN,
    ("/api/payments/cards/{id}/", "delete"): private(id="card.pk"),
    ("/api/payments/cards/{id}/default/", "post"): private(id="card.pk"),
    ("/api/notifications/read-all/", "post"): SIGNED_IN,
    ("/api/notifications/{id}/read/", "post"): private(id="notification.pk"),
    ("/api/portal/earnings/", "get"): provider_only(),
    ("/api/portal/payout-account/", "get"): PAYOUT_ACCOUNT,
    ("/api/portal/payout-account/", "put"): provider_only(),
    ("/api/portal/payouts/", "get"): provider_only(),
    ("/api/providers/{slug}/", "get"): public(slug="provider.provider_profile.slug"),
    ("/api/providers/{slug}/reviews/", "get"): public(slug="provider.provider_profile.slug"),
    ("/api/quotes/", "get"): provider_only(),
    ("/api/quotes/{id}/accept/", "post"): QUOTE,
    ("/api/quotes/{id}/ask-new-time/", "post"): QUOTE,
    ("/api/quotes/{id}/revise/", "post"): QUOTE_PROVIDER,
    ("/api/quotes/{id}/withdraw/", "post"): QUOTE_PROVIDER,
    ("/api/reviews/", "post"): SIGNED_IN,
    ("/api/reviews/{id}/", "get"): public(id="review.pk"),
    ("/api/reviews/{id}/", "patch"): private(id="review.pk"),
    ("/api/reviews/{id}/reply/", "patch"): providers_own(id="review.pk"),
    ("/api/reviews/{id}/reply/", "post"): providers_own(id="review.pk"),
    # The author cannot report its own review: as if it were not there.
    ("/api/reviews/{id}/report/", "post"): Row(owner=404, params=_from_world({"id": "review.pk"})),
    ("/api/schema/", "get"): public(),
    ("/api/services/", "get"): public(),
    ("/api/services/", "post"): provider_only(),
    ("/api/services/mine/", "get"): provider_only(),
    # A draft is its provider's alone: 404 to everyone else, signed in or not.
    ("/api/services/{id}/", "delete"): DRAFT,
    ("/api/services/{id}/", "get"): Row(404, 404, 404, 200, 404, "provider", DRAFT.params),
    ("/api/services/{id}/", "patch"): DRAFT,
    ("/api/services/{id}/pause/", "post"): DRAFT,
    ("/api/services/{id}/photos/", "post"): DRAFT,
    ("/api/services/{id}/photos/order/", "post"): DRAFT,
    ("/api/services/{id}/photos/{photo_id}/", "delete"): providers_own(
        id="draft_service.pk", photo_id="photo.pk"
    ),
    ("/api/services/{id}/publish/", "post"): DRAFT,
    ("/api/services/{id}/reviews/", "get"): public(id="service.pk"),
    ("/api/support/cases/", "get"): SIGNED_IN,
    ("/api/support/cases/", "post"): SIGNED_IN,
    ("/api/support/cases/{id}/", "get"): CASE,
    ("/api/support/cases/{id}/messages/", "get"): CASE,
    ("/api/support/cases/{id}/messages/", "post"): CASE,
    ("/api/users/me/", "get"): SIGNED_IN,
    ("/api/users/me/", "patch"): SIGNED_IN,
    ("/api/users/me/avatar/", "post"): SIGNED_IN,
    ("/api/users/me/avatar/", "put"): SIGNED_IN,
}


# --- The operations --------------------------------------------------------------------------


def _openapi_path(route: str) -> str:
    """A Django route ("bookings/<int:pk>/", or a router's regex) as the schema writes it."""
    path = "/" + simplify_regex(route).lstrip("/")
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    # drf-spectacular names a primary key "id" (SCHEMA_COERCE_PATH_PK).
    return path.replace("{pk}", "{id}")


def _methods(callback) -> set[str]:
    if actions := getattr(callback, "actions", None):  # a viewset's routed methods
        return set(actions) & METHODS
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return {"get"}  # a plain function view: at least GET
    return {m for m in view_class.http_method_names if m in METHODS and hasattr(view_class, m)}


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def resolver_operations() -> set[tuple[str, str]]:
    """Every (path, method) the URL resolver serves under /api/."""
    operations = set()
    for route, callback in _walk(get_resolver().url_patterns):
        path = _openapi_path(route)
        if path.startswith("/api/"):
            operations |= {(path, method) for method in _methods(callback)}
    return operations


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    }


def test_every_api_route_is_in_the_schema():
    """The schema documents every route under /api/ and nothing the resolver does not serve."""
    served = resolver_operations()
    documented = schema_operations()
    undocumented = {op for op in served - documented if op[0] not in NOT_IN_SCHEMA}
    assert not undocumented, f"served but missing from the schema: {sorted(undocumented)}"
    assert not documented - served, f"in the schema but not served: {sorted(documented - served)}"


def test_every_operation_has_a_row():
    operations = resolver_operations() | schema_operations()
    missing = sorted(operations - set(ROWS))
    assert not missing, f"add a row to ROWS in {__name__} for: {missing}"
    stale = sorted(set(ROWS) - operations)
    assert not stale, f"rows for operations that no longer exist: {stale}"


# --- The world ---------------------------------------------------------------------------------


@pytest.fixture
def world(places) -> SimpleNamespace:
    """Two customers, two approved providers and a moderator; the customer's booking, job
    (with the provider's quote), conversation, notification and review (with the provider's
    reply), a support case on the reviewed booking; the provider's draft service with a
    photo, and their payout details."""
    trade = SubcategoryFactory(name="Tap repair")
    profile = ProviderProfileFactory(approved=True, business_name="Owner Plumbing")
    other_profile = ProviderProfileFactory(approved=True, business_name="Other Plumbing")
    service = ServiceFactory(provider=profile, subcategory=trade, title="Tap fixing")
    ServiceFactory(provider=other_profile, subcategory=trade, title="Leaks fixed")
    customer = UserFactory(name="Owner Customer")
    review = ReviewFactory(booking=completed_booking(customer=customer, service=service))
    review_services.review_reply(review=review, user=profile.user, text="Thank you, Casey!")
    job = job_services.job_post(
        customer=customer,
        subcategory=trade,
        title="Fix a leaking tap",
        description="The kitchen tap drips all night.",
        place="Bondi",
        budget_min=Decimal("100"),
        budget_max=Decimal("300"),
    )
    draft_service = ServiceFactory(
        provider=profile, subcategory=trade, title="Gutters", status=Service.Status.DRAFT
    )
    # The customer's saved card (on localstripe) pays for the booking.
    card = card_saved(customer)
    booking = BookingFactory(customer=customer, service=service)
    booking.refresh_from_db()
    payment_open(booking=booking)
    payout_account_save(
        provider=profile, account_name="Owner Plumbing", bsb="062-000", account_number="12345678"
    )
    return SimpleNamespace(
        customer=customer,
        provider=profile.user,
        other_customer=UserFactory(name="Other Customer"),
        other_provider=other_profile.user,
        moderator=moderator_make(),
        service=service,
        draft_service=draft_service,
        photo=ServicePhotoFactory(service=draft_service),
        booking=booking,
        card=card,
        job=job,
        quote=send_quote(job, profile),
        conversation=chat_services.conversation_open(
            user=customer, provider=profile, about=service
        ),
        notification=NotificationFactory(recipient=customer),
        review=review,
        case=CaseFactory(booking=review.booking, opened_by=customer),
    )


def _client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def _caller(world: SimpleNamespace, role: str, row: Row):
    if role == "anonymous":
        return None
    if role == "owner":
        return getattr(world, row.owner_is)
    return getattr(world, role)


def _expected(status: int, cell: int | str) -> bool:
    if cell == PASSES:
        return status < 500 and status not in DENIALS
    return status == cell


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "method"), sorted(ROWS), ids=lambda v: v)
def test_each_role_gets_what_its_row_says(world, path, method, role):
    row = ROWS[(path, method)]
    url = path.format(**row.params(world))
    client = _client(_caller(world, role, row))
    if method in {"post", "put", "patch"}:
        response = getattr(client, method)(url, {}, format="json")
    else:
        response = getattr(client, method)(url, row.query(world))
    cell = getattr(row, role)

    assert _expected(response.status_code, cell), (
        f"{method.upper()} {url} as {role}: {response.status_code}, the row says {cell}"
    )
    if response.status_code in DENIALS:
        assert set(response.json()) == {"code", "message", "fields"}, response.content[:300]


# --- Role claims and suspension, end to end --------------------------------------------------


def _token_pair(client: APIClient, user) -> dict:
    response = client.post(
        "/api/auth/token/", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("person", "roles"),
    [
        ("customer", ["customer"]),
        ("provider", ["provider"]),
        ("moderator", ["customer", "moderator"]),
    ],
)
def test_the_access_token_claims_the_roles(world, person, roles):
    pair = _token_pair(APIClient(), getattr(world, person))
    assert AccessToken(pair["access"])["roles"] == roles


@pytest.mark.django_db
def test_a_suspended_users_token_stops_working_at_once(world):
    client = APIClient()
    pair = _token_pair(client, world.provider)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert client.get("/api/users/me/").status_code == 200

    user_suspend(user=world.provider, actor=world.moderator, reason="Fake reviews")

    refused = client.get("/api/users/me/")
    assert refused.status_code == 401
    assert set(refused.json()) == {"code", "message", "fields"}
    client.credentials()
    refresh = client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert refresh.status_code == 401
    again = client.post(
        "/api/auth/token/", {"email": world.provider.email, "password": PASSWORD}, format="json"
    )
    assert again.status_code == 401
