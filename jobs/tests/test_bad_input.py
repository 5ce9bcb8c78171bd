"""No 500 on bad input: every page of the URL conf, every parameter, a corpus of bad values.

The walk is built from the URL conf, so a new page is covered without touching this file:

1. A small world (a public listing with photos and hours, bookings in several states, a job
   with a quote and one without, notifications) is written once per module (once per
   pytest-xdist worker) inside a transaction rolled back at the end; every request runs in a
   savepoint rolled back after it, so each sees the same world and nothing leaks into the next.
2. A crawl GETs every page without path converters, and the pages of _fills(), as each person
   (anonymous, a customer, the listing's provider), follows the links and forms it finds, and
   records for each URL pattern the URLs seen and who saw them, the `name=` of every input,
   select, textarea and button, and the query keys of every link. EXTRA_PARAMS adds the few
   parameters views read that no HTML shows.
3. Each URL pattern is one test: it fills the path converters with hostile values (0, a number
   past bigint, unknown slugs), then sends each bad value of CORPUS (one value per request) as
   query values and as form values, with the form's other values, a valid CSRF token and as
   whoever saw the page: pass A puts the value in every input people fill in at once, pass B in
   each parameter a view reads itself, alone (see the test). Any 5xx fails it, and so does a
   pattern with path converters that nothing fills, unless SKIP names it with its reason.

The module prints how many requests it sent and the status codes (pytest -s).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from time import perf_counter, process_time
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client, TestCase, override_settings
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django.utils.crypto import get_random_string
from psycopg.types.range import Range

from accounts.models import User
from accounts.tests.factories import PASSWORD, ProviderProfileFactory, UserFactory
from bookings.models import AvailabilityException, Booking, BookingEvent
from bookings.tests.factories import BookingFactory, open_all_week
from jobs import services as job_services
from listings.tests.factories import (
    CategoryFactory,
    ServiceFactory,
    ServicePhotoFactory,
    SubcategoryFactory,
)
from notifications.tests.factories import NotificationFactory
from places.tests.factories import CityFactory, SuburbFactory

# The walk sends about 1,200 requests: it runs with the system tests (see pyproject.toml).
pytestmark = pytest.mark.system

# --- What the walk sends ----------------------------------------------------------------------

TEN_KB = "x" * 10_240
CORPUS: list[str | list[str]] = [
    "²",  # a superscript two: str.isdigit() is True, int() refuses it
    "٣",  # an Arabic-Indic three: int() accepts it
    "99999999999999999999",  # past bigint
    "1e309",  # past a float
    "-1",
    "0",
    "0001-01-01",  # the ends of the calendar
    "9999-12-31",
    "2026-02-30",  # no such day
    "\x00",  # PostgreSQL refuses NUL in text
    TEN_KB,
    ["1", "9999-12-31"],  # the parameter twice
    "abc",  # a `next` that is no URL (redirect() would take it for a view name)
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "",
]

# Hostile path values, by converter: each must still match the converter's regex.
HOSTILE_PATH = {
    "int": ["0", "99999999999999999999"],
    "slug": ["no-such-thing", "0"],
    "str": ["no-such-thing"],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
    "regex": ["no-such-thing"],
}

# Route prefixes the walk does not visit, and why.
SKIP = {
    # Django's admin: moderators' pages, Django's own code and its own tests.
    "admin/": "Django's admin",
    # The REST API: schemathesis sends it generated bad input from its schema, as a customer
    # and as a provider (moderation/tests/test_api_schema.py), and the authorization matrix
    # every operation as five people (moderation/tests/test_api_matrix.py).
    "api/": "the API (schemathesis and the authorization matrix)",
    # Uploaded files, served by django.views.static (no parameters, no forms).
    "media/": "uploaded files",
    # Stripe's webhook endpoint: no page and no form, POST only (the walk's GET gets a 405 and
    # sends nothing more); payments/tests/test_webhooks.py sends it unsigned, wrongly signed,
    # stale, malformed, non-UTF-8 and oversized bodies.
    "payments/webhooks/": "Stripe's webhook endpoint (payments/tests/test_webhooks.py)",
    # Django's sitemap views (XML, no forms; their one parameter, ?p=, is Django's paginator);
    # listings' tests check what they list.
    "sitemap": "sitemaps",
}

# Parameters pages read that no HTML shows, by URL name: name -> a good value (or None).
EXTRA_PARAMS = {
    # listing-form.js asks for the extra fields of the chosen subcategory.
    "portal_service_attributes": {
        "subcategory": lambda world: str(world.service.subcategory_id),
        "service": lambda world: str(world.service.pk),
    },
    # Pages of results: their links show only past a page of rows (20 listings, 30
    # notifications, 20 search results), more than the world holds; the sitemap's too.
    "category_city": {"page": None},
    "notifications_list": {"page": None},
    "search": {"page": None},
    # allauth's sign-in reads the ?next= that login_required adds (the crawl follows no
    # redirect, and the header's "Sign in" link carries none).
    "account_login": {"next": None},
}


def _fills(world: World) -> dict[str, list[dict[str, str]]]:
    """Path values for patterns no page links to (their links are sent by email)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str

    unverified = EmailAddress.objects.get(user=world.unverified)
    return world.fills | {
        "account_confirm_email": [{"key": EmailConfirmationHMAC(unverified).key}],
        "account_reset_password_from_key": [
            {
                "uidb36": user_pk_to_url_str(world.customer),
                "key": default_token_generator.make_token(world.customer),
            }
        ],
    }


def _good_values(today) -> dict[str, str]:
    """Values that pass, by field name, for inputs a form leaves empty: with every other field
    valid, one bad value reaches as deep into the view as it can."""
    return {
        "title": "Fix a leaking tap",
        "description": "The kitchen tap drips all night.",
        "bio": "Licensed plumbers since 2009.",
        "business_name": "Tidy Taps",
        "place": "Bondi",
        "street_address": "12 Campbell Parade",
        "notes": "The side gate is open.",
        "reason": "Something came up.",
        "message": "Happy to help.",
        "name": "Casey Customer",
        "phone": "0412 345 678",
        "price": "150",
        "budget_min": "100",
        "budget_max": "300",
        "service_radius_km": "20",
        "duration_minutes": "60",
        "time": "09:00",
        "hours-start_time": "09:00",
        "hours-end_time": "12:00",
        "exception-start_time": "13:00",
        "exception-end_time": "15:00",
        "date": (today + timedelta(days=5)).isoformat(),
        "exception-date": (today + timedelta(days=20)).isoformat(),
        "date_from": (today + timedelta(days=3)).isoformat(),
        "date_to": (today + timedelta(days=10)).isoformat(),
        "insurance_expires_on": (today + timedelta(days=365)).isoformat(),
        "email": "someone.new@example.com",
        "password": PASSWORD,
        "oldpassword": PASSWORD,
        "password1": "a-long-new-passphrase-2026",
        "password2": "a-long-new-passphrase-2026",
    }


# --- The URL conf -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str  # as ResolverMatch.route names it: "bookings/<int:pk>/<slug:action>/"
    name: str | None
    converters: tuple[tuple[str, str], ...]  # (kwarg, kind)

    @property
    def skipped(self) -> bool:
        return any(self.route.startswith(prefix) for prefix in SKIP)


def _kinds(pattern) -> list[tuple[str, str]]:
    if isinstance(pattern, RoutePattern):
        kinds = {
            IntConverter: "int",
            SlugConverter: "slug",
            StringConverter: "str",
            PathConverter: "path",
            UUIDConverter: "uuid",
        }
        return [(name, kinds.get(type(c), "regex")) for name, c in pattern.converters.items()]
    if isinstance(pattern, RegexPattern):
        return [(name, "regex") for name in pattern.regex.groupindex]
    return []


def url_patterns(resolver=None, route: str = "", kinds=()) -> Iterator[Pattern]:
    """Every URL pattern of the project, with its full route and converters."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        full = URLResolver._join_route(route, str(entry.pattern))
        entry_kinds = (*kinds, *_kinds(entry.pattern))
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, full, entry_kinds)
        elif isinstance(entry, URLPattern):
            yield Pattern(route=full, name=entry.name, converters=tuple(entry_kinds))


PATTERNS = {p.route: p for p in url_patterns() if not p.skipped}


# --- The world --------------------------------------------------------------------------------


@dataclass
class World:
    customer: object
    provider: object  # the listing's provider (a User)
    unverified: object  # a person whose email address waits for its confirmation link
    service: object  # the public listing
    good: dict[str, str] = field(default_factory=dict)
    # Path values of chat and review pages no link the crawl follows reaches (unblock shows
    # only once blocked; a thumbnail is an <img>, not a link), found while making the world.
    fills: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def _conversation(*, customer, provider, service) -> dict[str, list[dict[str, str]]]:
    """A conversation with a message and a photo each way, so the crawl finds the chat pages
    from the header's Messages link. Made through chat's own pages: chat is a layer above
    jobs, so its tests here may not import it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    def photo() -> SimpleUploadedFile:
        buffer = io.BytesIO()
        Image.new("RGB", (400, 300), "#2a7f62").save(buffer, "PNG")
        return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")

    people = Client()
    people.force_login(customer)
    opened = people.post(
        reverse("chat_open"), {"provider": provider.pk, "about": f"listing:{service.pk}"}
    )
    page = urlsplit(opened.url).path
    people.post(page, {"body": "Is Tuesday fine?", "photos": [photo()]})
    people.force_login(provider.user)
    people.post(page, {"body": "Tuesday works.", "photos": [photo()]})
    html = people.get(page).content.decode()
    thumb = re.search(r"/messages/photos/([0-9a-f-]{36})-thumb\.jpg", html)[1]
    return {
        "chat_unblock": [{"pk": resolve(page).kwargs["pk"]}],
        "chat_photo_thumb": [{"key": thumb}],
    }


def _payments(*, customer, booking: Booking) -> dict[str, list[dict[str, str]]]:
    """A card saved through the card component's endpoints (confirmed on localstripe as
    Stripe.js would), and the booking's payment opened by the booking_created event, as when
    it was booked: so the booking page shows its payment panel, the saved cards page the card.
    Through pages and events: payments is a layer above jobs."""
    import json

    import requests

    from bookings.signals import booking_created

    person = Client()
    person.force_login(customer)
    secret = person.post(reverse("card_setup"), HTTP_ACCEPT="application/json").json()
    secret = secret["client_secret"]
    setup_intent = secret.split("_secret_")[0]
    requests.post(
        f"{settings.STRIPE_API_BASE}/v1/setup_intents/{setup_intent}/confirm",
        data=json.dumps(
            {
                "key": settings.STRIPE_PUBLISHABLE_KEY,
                "use_stripe_sdk": True,
                "client_secret": secret,
                "payment_method_data": {
                    "type": "card",
                    "card": {
                        "number": "4242424242424242",
                        "exp_month": "12",
                        "exp_year": "2034",
                        "cvc": "123",
                    },
                    "billing_details": {"address": {"postal_code": "2000"}},
                },
            }
        ),
        timeout=10,
    ).raise_for_status()
    saved = person.post(
        reverse("card_save"), {"setup_intent": setup_intent}, HTTP_ACCEPT="application/json"
    )
    card = saved.json()["card"]["id"]
    booking_created.send(sender=Booking, booking=booking, actor=customer)
    return {
        "card_default": [{"pk": card}],
        "card_remove": [{"pk": card}],
        "booking_pay": [{"pk": booking.pk}],
    }


def _completed(*, customer, service, days_ago: int) -> Booking:
    """A job done `days_ago` days ago, booked a week before it, with its COMPLETED event: a
    booking like real ones, which the fraud rules leave alone."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    booking = BookingFactory(
        customer=customer, service=service, start=start, status=Booking.Status.COMPLETED
    )
    Booking.objects.filter(pk=booking.pk).update(created_at=start - timedelta(days=7))
    BookingEvent.objects.create(
        booking=booking,
        action=BookingEvent.Action.COMPLETED,
        from_status=Booking.Status.ACCEPTED,
        to_status=Booking.Status.COMPLETED,
        actor=service.provider.user,
    )
    BookingEvent.objects.filter(booking=booking, action="completed").update(at=booking.period.upper)
    return booking


def _reviews(*, customer, service) -> dict[str, list[dict[str, str]]]:
    """A published review with a photo (so the listing links its photo and the provider's
    portal its reply form, the author's booking page its edit link) and a completed job still
    waiting for one (the review form). Made through the review page, for the reason chat's
    conversation is: reviews is a layer above jobs."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "#2a7f62").save(buffer, "PNG")
    photo = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    reviewed = _completed(customer=customer, service=service, days_ago=3)
    _completed(customer=customer, service=service, days_ago=2)
    author = Client()  # a browser of its own: one shared with the provider links the two
    author.force_login(customer)
    sent = author.post(
        reverse("review_new", args=[reviewed.pk]),
        {"rating": "4", "text": "Tidy work and on time, the board is labelled.", "photos": photo},
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    # The crawl opens one booking page per person, not the reviewed one that links these, and
    # follows links, not images.
    html = author.get(reverse("booking_detail", args=[reviewed.pk])).content.decode()
    edit = re.search(r"/reviews/(\d+)/edit/", html)[1]
    html = author.get(service.get_absolute_url()).content.decode()
    thumb = re.search(r"/reviews/photos/([0-9a-f-]{36})-thumb\.jpg", html)[1]
    return {
        "portal_customer_rate": [{"pk": reviewed.pk}],
        "review_edit": [{"pk": edit}],
        "review_photo_thumb": [{"key": thumb}],
    }


def _support(*, customer, service) -> dict[str, list[dict[str, str]]]:
    """A support case with a photo on a job done yesterday, and another job done today with
    none yet (the report form). Made through the support pages, for the reason chat's
    conversation is: support is a layer above jobs."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "#2a7f62").save(buffer, "PNG")
    photo = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    reported = _completed(customer=customer, service=service, days_ago=1)
    reportable = _completed(customer=customer, service=service, days_ago=4)
    person = Client()
    person.force_login(customer)
    sent = person.post(
        reverse("case_new", args=[reported.pk]),
        {"reason": "damage", "description": "The ladder scratched the fence.", "photos": photo},
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    html = person.get(sent.url).content.decode()
    key = re.search(r"/support/photos/([0-9a-f-]{36})-thumb\.jpg", html)[1]
    return {
        "case_new": [{"pk": reportable.pk}],
        "case_detail": [{"pk": resolve(sent.url).kwargs["pk"]}],
        "case_photo": [{"key": key}],
        "case_photo_thumb": [{"key": key}],
    }


def _invoices(*, customer, service) -> dict[str, list[dict[str, str]]]:
    """A job done four days ago, charged on the customer's saved card (see _payments) when the
    completion event arrives, and so its invoices issued; their links are read from the
    booking page, as each party sees it. Through events and pages: payments is a layer above
    jobs."""
    from bookings.signals import booking_completed, booking_created

    booking = _completed(customer=customer, service=service, days_ago=4)
    booking_created.send(sender=Booking, booking=booking, actor=customer)
    # The world is built in a transaction that is rolled back, so nothing commits: run what the
    # charge queues for its commit (the payment_captured event, which issues the invoices).
    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_completed.send(sender=Booking, booking=booking, actor=service.provider.user)
    found = []
    for person in (customer, service.provider.user):
        browser = Client()
        browser.force_login(person)
        html = browser.get(reverse("booking_detail", args=[booking.pk])).content.decode()
        found += re.findall(r"/payments/invoices/(\d+)/", html)
    assert found, "the paid booking's page links no invoice"
    return {"invoice_download": [{"pk": pk} for pk in sorted(set(found))]}


def _world() -> World:
    sydney = CityFactory()
    SuburbFactory(city=sydney)
    category = CategoryFactory(name="Electrical", slug="electrical")
    subcategory = SubcategoryFactory(
        category=category,
        name="Electricians",
        slug="electricians",
        attribute_schema=[
            {"name": "storeys", "label": "Storeys", "type": "number"},
            {
                "name": "home",
                "label": "Home",
                "type": "choice",
                "choices": ["House", "Unit"],
                "required": True,
            },
            {"name": "after_hours", "label": "After hours", "type": "boolean"},
            {"name": "brand", "label": "Brand", "type": "text"},
        ],
    )
    profile = ProviderProfileFactory(approved=True, base_city=sydney)
    service = ServiceFactory(
        provider=profile,
        subcategory=subcategory,
        title="Switchboard upgrades",
        attributes={"storeys": 2, "home": "House"},
    )
    ServiceFactory(provider=profile, subcategory=subcategory, title="Draft", status="draft")
    for _ in range(2):
        ServicePhotoFactory(service=service)
    open_all_week(profile, start=time(9), end=time(12))  # a few free times a day
    today = timezone.localdate()
    AvailabilityException.objects.create(
        provider=profile, date=today + timedelta(days=9), kind="day_off"
    )
    customer = UserFactory(name="Casey Customer")
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=4)
    pending = BookingFactory(customer=customer, service=service, start=start)
    moved = BookingFactory(
        customer=customer,
        service=service,
        start=start + timedelta(days=1),
        status=Booking.Status.ACCEPTED,
    )
    later = moved.period.lower + timedelta(hours=3)
    moved.proposed_period = Range(later, later + timedelta(hours=1), "[)")
    moved.proposed_by = customer
    moved.save()
    BookingFactory(
        customer=customer,
        service=service,
        start=start - timedelta(days=30),
        status=Booking.Status.COMPLETED,
    )
    job = job_services.job_post(
        customer=customer,
        subcategory=subcategory,
        title="Rewire the kitchen",
        description="Old wiring, three power points.",
        place="Bondi",
        budget_min=Decimal("100"),
        budget_max=Decimal("900"),
    )
    job_services.quote_send(
        job=job, provider=profile, price=Decimal("450"), start=start + timedelta(days=2)
    )
    job_services.job_post(  # one the provider has not quoted on yet: the quote form shows
        customer=customer,
        subcategory=subcategory,
        title="New downlights",
        description="Six LED downlights in the lounge.",
        place="Bondi",
    )
    User.objects.filter(pk=customer.pk).update(date_joined=timezone.now() - timedelta(days=90))
    review_fills = _reviews(customer=customer, service=service)
    chat_fills = _conversation(customer=customer, provider=profile, service=service)
    support_fills = _support(customer=customer, service=service)
    pending.refresh_from_db()
    payment_fills = _payments(customer=customer, booking=pending)
    invoice_fills = _invoices(customer=customer, service=service)
    NotificationFactory(recipient=customer, url="/bookings/")
    NotificationFactory(recipient=profile.user, url="/portal/bookings/")
    unverified = UserFactory(verified=False)
    return World(
        customer=customer,
        provider=profile.user,
        unverified=unverified,
        service=service,
        good=_good_values(today),
        fills=chat_fills | review_fills | support_fills | payment_fills | invoice_fills,
    )


# --- Reading pages ----------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str | None
    typed: dict[str, str] = field(default_factory=dict)  # what people fill in: name -> value
    fixed: dict[str, str] = field(default_factory=dict)  # hidden inputs
    buttons: set[str] = field(default_factory=set)  # named submit buttons (one is clicked)
    files: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    """Links (href) and forms: their inputs, selects, textareas and named buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name = a.get("name", "")
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "form":
            self._form = Form(method=a.get("method", "get").upper(), action=a.get("action"))
            self.forms.append(self._form)
        elif self._form is None or not name:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "hidden":
                self._form.fixed[name] = a.get("value", "")
            elif kind in ("submit", "image", "button", "reset"):
                self._form.buttons.add(name)
            elif kind == "file":
                self._form.files.add(name)
            elif kind in ("radio", "checkbox"):
                # The checked one; else a radio answers with its first choice, a box with "".
                value = a.get("value", "on")
                if "checked" in a or not self._form.typed.get(name):
                    checked = "checked" in a or kind == "radio"
                    self._form.typed[name] = value if checked else ""
            else:
                self._form.typed[name] = a.get("value", "")
        elif tag == "button":
            self._form.buttons.add(name)
        elif tag == "select":
            self._select = (name, [])
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options if v]
            self._form.typed[name] = chosen[0] if chosen else ""
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.typed[self._textarea[0]] = self._textarea[1].strip()
            self._textarea = None


# --- The crawl --------------------------------------------------------------------------------

# Staff see nothing different on the project's own pages (moderation is in the skipped admin),
# so the walk signs in the three people whose pages differ.
ROLES = ("anonymous", "customer", "provider")
CSRF = "csrfmiddlewaretoken"


@dataclass(frozen=True)
class Target:
    """A URL someone saw: a link (GET) or a form's action (POST), with what the form sends.

    `typed` are the inputs people fill in (a Django form validates them all together);
    `fixed` are the hidden inputs and `buttons` the named submit buttons, which views read
    on their own (a `next`, which form was sent, "show the fields").
    """

    role: str
    method: str
    url: str
    typed: tuple[tuple[str, str], ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    buttons: tuple[str, ...] = ()


@dataclass
class Crawl:
    world: World
    clients: dict[str, Client]
    cookies: dict[str, dict[str, str]]  # each role's cookies as the crawl starts
    tokens: dict[str, str]
    targets: dict[str, set[Target]] = field(default_factory=lambda: defaultdict(set))
    answers: dict[tuple[str, str], int] = field(default_factory=dict)  # (role, url) -> status
    answered: set[tuple[str, str]] = field(default_factory=set)  # not 404, 405, "sign in"...
    # Parameter names by pattern: what query strings carry (link keys, GET forms' inputs), the
    # inputs people fill in of GET forms and of POST forms, and POST forms' hidden inputs and
    # buttons.
    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    query_typed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    typed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    posted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # hidden, buttons
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    requests: int = 0

    def send(self, role: str, method: str, url: str, data: list[tuple[str, str]]):
        """One request as `role`, in a savepoint rolled back afterwards, with the role's
        cookies as the crawl left them: what a request changes (a listing deleted, a booking
        accepted, a session ended by a password-reset link) never reaches the next one."""
        client = self.clients[role]
        client.cookies = SimpleCookie(self.cookies[role])
        with transaction.atomic():
            if method == "GET":
                response = client.get(urlsplit(url).path, query_params=data)
            else:
                response = client.post(
                    url, urlencode(data), content_type="application/x-www-form-urlencoded"
                )
            transaction.set_rollback(True)
        self.requests += 1
        self.statuses[response.status_code] += 1
        return response


def _route(url: str) -> str | None:
    """The pattern (as PATTERNS keys it) a local URL resolves to, or None."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http", "https"):
        return None
    try:
        route = resolve(parts.path).route
    except Resolver404:
        return None
    return route if route in PATTERNS else None


def _error(response) -> str:
    error = response.exc_info[1] if getattr(response, "exc_info", None) else None
    return f"{response.status_code} {type(error).__name__ if error else ''} {error or ''}".strip()


def _answered(response) -> bool:
    """The page answered this person (not a 404 or 405, nor "sign in" or "set up first")."""
    if response.status_code in (403, 404, 405):
        return False
    if response.status_code in (301, 302):
        location = urlsplit(response["Location"]).path
        return location not in (reverse("account_login"), reverse("portal_onboarding"))
    return True


# At most this many different URLs of one pattern are read per person, and forms of one shape
# (the same inputs) kept: each booking's page shows other buttons, but twenty listing pages or
# seven "remove these hours" buttons show nothing new.
PER_PATTERN = 2


def _crawl(world: World) -> Crawl:
    users = {"customer": world.customer, "provider": world.provider}
    clients = {}
    for role in ROLES:
        clients[role] = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if role in users:
            clients[role].force_login(users[role])
        # A CSRF cookie of its own for each role; its forms carry tokens made from it.
        clients[role].cookies[settings.CSRF_COOKIE_NAME] = get_random_string(
            CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS
        )
    crawl = Crawl(
        world=world,
        clients=clients,
        cookies={role: {k: m.value for k, m in c.cookies.items()} for role, c in clients.items()},
        tokens={role: c.cookies[settings.CSRF_COOKIE_NAME].value for role, c in clients.items()},
    )
    fills = _fills(world)
    queue: list[tuple[str, str]] = []
    for pattern in PATTERNS.values():
        if not pattern.converters:
            url = reverse(pattern.name) if pattern.name else "/" + pattern.route
            queue += [(role, url) for role in ROLES]
        for kwargs in fills.get(pattern.name, []):
            queue += [(role, reverse(pattern.name, kwargs=kwargs)) for role in ROLES]
    seen: set[tuple[str, str, frozenset]] = set()
    forms_seen: set[tuple] = set()
    per_pattern: Counter = Counter()
    forms_per_shape: Counter = Counter()
    while queue:
        role, url = queue.pop(0)
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        route = _route(url)
        visit = (role, parts.path, frozenset(name for name, _ in query))
        if route is None or visit in seen or per_pattern[role, route] >= PER_PATTERN:
            continue
        seen.add(visit)
        per_pattern[role, route] += 1
        crawl.targets[route].add(Target(role=role, method="GET", url=url))
        crawl.keys[route] |= {name for name, _ in query}
        response = crawl.send(role, "GET", url, query)
        crawl.answers[role, url] = response.status_code
        if response.status_code >= 500:
            crawl.errors[route].append(
                f"GET {url} (read by the crawl) as {role}: {_error(response)}"
            )
        if _answered(response):
            crawl.answered.add((role, url))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = PageParser()
        page.feed(response.content.decode())
        for href in page.links:
            link = urljoin(url, href)
            if link_route := _route(link):
                crawl.keys[link_route] |= {n for n, _ in parse_qsl(urlsplit(link).query)}
                queue.append((role, link))
        for form in page.forms:
            action = urljoin(url, form.action) if form.action else url
            form_route = _route(action)
            if form_route is None:
                continue
            if form.method == "GET":
                # A GET form's inputs, hidden ones too, all arrive in the query together.
                crawl.query_typed[form_route] |= set(form.typed) | set(form.fixed)
                crawl.keys[form_route] |= set(form.typed) | set(form.fixed) | form.buttons
                queue.append((role, urlsplit(action)._replace(query="").geturl()))
                continue
            typed = {name: value or world.good.get(name, "") for name, value in form.typed.items()}
            crawl.typed[form_route] |= set(form.typed) | form.files
            crawl.posted[form_route] |= set(form.fixed) | form.buttons
            inputs = frozenset(typed) | frozenset(form.fixed) | form.buttons
            shape = (role, form_route, inputs)
            if (action, shape) in forms_seen or forms_per_shape[shape] >= PER_PATTERN:
                continue  # the same form on another page (the header's sign-out), or enough
            forms_seen.add((action, shape))
            forms_per_shape[shape] += 1
            crawl.answered.add((role, action))  # whoever sees a form may send it
            crawl.targets[form_route].add(
                Target(
                    role=role,
                    method="POST",
                    url=action,
                    typed=tuple(sorted(typed.items())),
                    fixed=tuple(sorted(form.fixed.items())),
                    buttons=tuple(sorted(form.buttons)),
                )
            )
    return crawl


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Crawl]:
    """The world and the crawl, once per module (per pytest-xdist worker), rolled back after."""
    quiet = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)  # 404s and 403s are expected by the thousand
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("walk-media"))
    with django_db_blocker.unblock(), media:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = _world()
            started, cpu = perf_counter(), process_time()
            crawl = _crawl(world)
            crawled = crawl.requests
            yield crawl
            print(
                f"\nbad-input walk: {len(PATTERNS)} URL patterns, {crawl.requests} requests "
                f"({crawled} by the crawl), status codes {dict(sorted(crawl.statuses.items()))}, "
                f"{perf_counter() - started:.1f} s ({process_time() - cpu:.1f} s of CPU)"
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            for logger, level in zip(quiet, levels, strict=True):
                logger.setLevel(level)


# --- The walk ---------------------------------------------------------------------------------


def _label(value: str | list[str]) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _values(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def _hostile_urls(pattern: Pattern, url: str) -> Iterator[str]:
    """`url` with each path value replaced by each hostile value of its converter."""
    kwargs = resolve(urlsplit(url).path).kwargs
    for name, kind in pattern.converters:
        for value in HOSTILE_PATH.get(kind, []):
            try:
                yield reverse(pattern.name, kwargs={**kwargs, name: value})
            except NoReverseMatch:
                continue


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(PATTERNS))
def test_no_page_answers_bad_input_with_a_server_error(crawl, route):
    """Every bad value in every parameter of this page, by GET and by POST: never a 5xx.

    Pass A sends each value in every input at once, as query values and as form values (a
    Django form checks all its fields, so one bad field hides no other), keeping the hidden
    inputs of a form as the page gave them. Pass B sends each value alone in each parameter a
    view reads itself (link query keys, hidden inputs, buttons, EXTRA_PARAMS), the rest as the
    page gave them: a `next`, a `page` or a `service` read only once the others are valid gets
    every bad value too.
    """
    pattern = PATTERNS[route]
    world = crawl.world
    targets = sorted(crawl.targets.get(route, ()), key=lambda t: (t.method, t.role, t.url))
    assert targets, (
        f"The walk cannot fill {route!r} ({pattern.name}): link it from a page, add its path "
        "values to _fills(), or add it to SKIP with the reason."
    )
    extra = {
        n: make(world) if make else "" for n, make in EXTRA_PARAMS.get(pattern.name, {}).items()
    }
    before = crawl.requests
    statuses: Counter = Counter()
    failures: list[str] = list(crawl.errors.get(route, []))

    def send(target: Target, method: str, bad: dict[str, str | list[str]], what: str) -> int:
        """`target`'s own values (the link's query, or the form's inputs) with `bad` in."""
        values = {name: value for name, value in extra.items() if value}
        if method == "GET":
            values |= dict(parse_qsl(urlsplit(target.url).query, keep_blank_values=True))
        else:
            values |= dict(target.typed) | dict(target.fixed)
            values[CSRF] = values.get(CSRF) or crawl.tokens[target.role]
        data = [(n, v) for n, v in values.items() if n not in bad]
        data += [(n, v) for n, value in bad.items() for v in _values(value)]
        response = crawl.send(target.role, method, target.url, data)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{method} {target.url} {what} as {target.role}: {_error(response)}")
        return response.status_code

    # Who sends each method: the people the page answered (else whoever saw it). A 405 rules
    # the method out (require_GET and require_POST answer before reading anything).
    usable: dict[str, list[Target]] = {"GET": [], "POST": []}
    for target in targets:
        for method in ("GET", "POST") if target.method == "POST" else ("GET",):
            as_method = Target(target.role, "GET", target.url) if method == "GET" else target
            if as_method in usable[method]:
                continue
            status = crawl.answers.get((target.role, target.url)) if method == "GET" else None
            if status is None:
                status = send(as_method, method, {}, "(as the page sends it)")
            if status != 405:
                usable[method].append(as_method)
    for method, chosen in usable.items():
        usable[method] = [t for t in chosen if (t.role, t.url) in crawl.answered] or chosen
    if not usable["POST"] and usable["GET"]:
        # A page without a form is still posted to once, by someone it answers: a 405, or a
        # view that takes POST too gets the passes below by POST as well.
        first = usable["GET"][0]
        if send(Target(first.role, "POST", first.url), "POST", {}, "(posted)") != 405:
            usable["POST"].append(Target(first.role, "POST", first.url))

    # Hostile path values, as the first person the page answers (by GET when it takes GET:
    # the object is looked up the same way for both).
    for method, chosen in usable.items():
        for target in chosen[:1]:
            for url in _hostile_urls(pattern, target.url):
                hostile = Target(target.role, method, url, target.typed, target.fixed)
                send(hostile, method, {}, "(hostile path)")
        if chosen:
            break

    keys = crawl.keys.get(route, set())
    turn = 0
    for method, chosen in usable.items():
        if not chosen:
            continue
        if method == "GET":
            typed = crawl.query_typed.get(route, set())
            alone = set(extra) | (keys - typed)
        else:
            typed = crawl.typed.get(route, set()) | keys
            alone = set(extra) | crawl.posted.get(route, set())
        every = typed - alone - {CSRF}
        alone -= {CSRF}
        plan = [("every input", every, value) for value in CORPUS if every]
        plan += [(name, {name}, value) for name in sorted(alone) for value in CORPUS]
        for what, names, value in plan:
            target = chosen[turn % len(chosen)]
            turn += 1
            send(target, method, dict.fromkeys(names, value), f"{what}={_label(value)}")

    print(f"\n{route}: {crawl.requests - before} requests, {dict(sorted(statuses.items()))}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:40])


def test_the_walk_names_each_pattern_as_django_resolves_it():
    """The walk's keys are ResolverMatch.route: a URL the crawl sees lands on its pattern's test
    (were they to differ, every pattern with converters would fail as unfilled, not pass)."""
    for pattern in PATTERNS.values():
        if not pattern.converters and pattern.name:
            assert resolve(reverse(pattern.name)).route == pattern.route
    assert {"services/<int:pk>-<slug:slug>/", "bookings/<int:pk>/<slug:action>/"} <= set(PATTERNS)
    assert not any(route.startswith(("admin/", "media/")) for route in PATTERNS)
