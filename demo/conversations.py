"""Demo conversations, so the inbox of the demo customer and the demo provider is alive.

Casey (the demo customer) and Priya (the demo provider) talk about one of Priya's listings (with
a photo of the switchboard), a booking Casey makes through the booking service and a job she
asks Priya to quote through the job service; Casey talks to two other providers, and three demo
customers of their own talk to Priya and the others. Some messages are left unread: a read
position is a seq like the live site keeps, so every unread count the pages show is computed
from it. Created once: when Casey has any conversation the step does nothing.

Messages are written as rows (with times over the last days) rather than through
chat.services.message_send, whose per-sender rate limit is for people typing, and which stamps
every message with the moment it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import ProviderProfile, User
from bookings.models import Booking
from bookings.services import booking_create
from bookings.slots import local_today, service_slots
from chat.models import Conversation, Message, MessagePhoto
from jobs.models import JobRequest, Quote
from jobs.services import job_post, quote_send
from listings.images import photo_files
from listings.models import Service
from listings.selectors import service_public

from .dataset import demo_data
from .photos import _subcategories, demo_picture

CUSTOMER_EMAIL_DOMAIN = "customers.nearhand.test"
# Demo customers of their own (no password: nobody signs in as them).
CUSTOMERS = (("Jordan Lee", "jordan"), ("Mei Chen", "mei"), ("Tom Walker", "tom"))

C, P = "customer", "provider"


@dataclass(frozen=True)
class Line:
    side: str  # C or P
    text: str
    hours_ago: float
    about: object | None = None
    photo_label: str = ""


def _customers() -> list[User]:
    people = []
    for name, local in CUSTOMERS:
        email = f"{local}@{CUSTOMER_EMAIL_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, name=name)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        people.append(user)
    return people


def _first_free_start(service: Service, now: datetime, *, from_day: int = 2) -> datetime | None:
    today = local_today(service=service, now=now)
    for days in range(from_day, from_day + 19):
        slots = service_slots(service=service, day=today + timedelta(days=days), now=now)
        if slots:
            return slots[0].start
    return None


def _booking(customer: User, service: Service, now: datetime) -> Booking | None:
    start = _first_free_start(service, now)
    if start is None:
        return None
    return booking_create(
        customer=customer,
        service=service,
        start=start,
        street_address="12 Addison Road",
        place=service.city.name,
        notes="The switchboard trips when the oven and the kettle are both on.",
        now=now,
    )


def _job(customer: User, service: Service, now: datetime) -> JobRequest:
    return job_post(
        customer=customer,
        subcategory=None,
        service=service,
        title="EV charger in the garage",
        description="A 7 kW wall charger for a Tesla Model 3, about 6 m from the switchboard.",
        place=service.city.name,
        now=now,
    )


def _quote(job: JobRequest, service: Service, now: datetime) -> Quote | None:
    """Priya's quote for the job, a week out (clear of the booking), through the job service."""
    start = _first_free_start(service, now, from_day=7)
    if start is None:
        return None
    return quote_send(
        job=job,
        provider=service.provider,
        price=Decimal("1450"),
        start=start,
        message="Supply and install a 7 kW charger on its own circuit, with the permit.",
        now=now,
    )


def _photo(message: Message, label: str, service: Service) -> None:
    category, _sub = _subcategories()[service.subcategory.slug]
    picture = demo_picture(style=category.photo, label=label, variant=1)
    image, thumbnail = photo_files(image=picture)
    photo = MessagePhoto(message=message)
    photo.image.save(image.name, image, save=False)
    photo.thumbnail.save(thumbnail.name, thumbnail, save=False)
    photo.save()


def _context(about: object | None) -> dict[str, object]:
    """The message's context fields, as chat.services.message_send sets them."""
    if about is None:
        return {}
    if isinstance(about, Quote):
        return {"quote": about, "job_id": about.job_id}
    field = {Service: "service", Booking: "booking", JobRequest: "job"}[type(about)]
    return {field: about}


def _talk(
    *,
    customer: User,
    provider: ProviderProfile,
    lines: list[Line],
    unread: int,
    now: datetime,
    photo_service: Service | None = None,
) -> Conversation:
    """The conversation with its messages; the last `unread` (all from one side) are not read
    by the other side yet."""
    conversation = Conversation.objects.create(customer=customer, provider=provider)
    senders = {C: customer, P: provider.user}
    messages = Message.objects.bulk_create(
        Message(
            conversation=conversation,
            seq=seq,
            sender=senders[line.side],
            body=line.text,
            **_context(line.about),
        )
        for seq, line in enumerate(lines, start=1)
    )
    for message, line in zip(messages, lines, strict=True):
        message.created_at = now - timedelta(hours=line.hours_ago)
        if line.photo_label:
            _photo(message, line.photo_label, photo_service)
    Message.objects.bulk_update(messages, ["created_at"])
    last = len(lines)
    # Each side has read up to the end, except the unread tail the other side wrote (never
    # its own messages: sending marks them read).
    tail_side = lines[-1].side
    tail = next((n for n, line in enumerate(reversed(lines)) if line.side != tail_side), last)
    unread = min(unread, tail)
    conversation.last_seq = last
    conversation.last_message_at = messages[-1].created_at
    conversation.customer_read_seq = last - unread if tail_side == P else last
    conversation.provider_read_seq = last - unread if tail_side == C else last
    conversation.save()
    return conversation


def _other_providers(
    count: int, *, exclude: ProviderProfile
) -> list[tuple[ProviderProfile, Service]]:
    """Approved providers with a public listing, the first `count` by id, and that listing."""
    found: list[tuple[ProviderProfile, Service]] = []
    services = (
        service_public()
        .exclude(provider=exclude)
        .select_related("provider__user", "subcategory", "city")
        .order_by("provider_id", "pk")
    )
    for service in services:
        if not found or found[-1][0].pk != service.provider_id:
            found.append((service.provider, service))
        if len(found) == count:
            break
    return found


def _casey_and_priya(casey: User, priya: ProviderProfile, now: datetime) -> None:
    listings = list(service_public().filter(provider=priya).select_related("subcategory", "city"))
    switchboard = next((s for s in listings if "witchboard" in s.title), listings[0])
    bookable = next((s for s in listings if not s.instant_book), switchboard)
    booking = _booking(casey, bookable, now)
    job = _job(casey, switchboard, now)
    quote = _quote(job, switchboard, now)
    lines = [
        Line(C, "Hi Priya, this is our switchboard. It still has the old ceramic fuses: "
             "can you replace it with a modern one?", 70, switchboard, "Our old switchboard"),
        Line(P, "Hi Casey, thanks for the photo. Yes, that board is due: I'd fit a new one with "
             "safety switches on every circuit. Book a time and I'll bring the parts.", 68,
             switchboard),
    ]  # fmt: skip
    if booking is not None:
        lines += [
            Line(C, "Booked! There's a side gate, I'll leave it unlocked. Call me on "
                 "0412 345 678 when you're out front.", 1.2, booking),
            Line(P, "Great, see you then. The power will be off for about three hours.", 1.1,
                 booking),
        ]  # fmt: skip
    lines += [
        Line(C, "While you're here, could you also quote for an EV charger? I posted the job.",
             0.9, job),
        Line(P, "Happy to. I'll need to check the switchboard has room for the circuit.", 0.6,
             job),
    ]  # fmt: skip
    if quote is not None:
        lines.append(
            Line(P, "Quote sent: I can do both on the same visit and save you a call-out fee.",
                 0.5, quote)
        )  # fmt: skip
    _talk(customer=casey, provider=priya, lines=lines, unread=2, now=now, photo_service=switchboard)


def _small_talk(customer: User, service: Service, *, unread: int, hours: float, now) -> None:
    lines = [
        Line(C, f"Hi, are you free next week for this: {service.title}?", hours + 3, service),
        Line(P, "Hi! Yes, Tuesday or Thursday morning work. Which suits you?", hours + 1),
        Line(C, "Thursday, please. Is the price on the listing for the whole job?", hours),
    ]
    if unread == 0:
        lines.append(Line(P, "It is, parts included. Book Thursday and it's yours.", hours - 0.5))
    _talk(customer=customer, provider=service.provider, lines=lines, unread=unread, now=now)


@transaction.atomic
def conversations_seed(*, now: datetime | None = None) -> int:
    """Create the demo conversations unless the demo customer has some; returns how many."""
    now = now or timezone.now()
    data = demo_data()
    casey = User.objects.get(email=data.account("customer").email)
    if Conversation.objects.filter(customer=casey).exists():
        return 0
    priya = ProviderProfile.objects.select_related("user").get(slug=data.demo_provider.slug)
    _casey_and_priya(casey, priya, now)
    created = 1
    others = _other_providers(2, exclude=priya)
    for number, (_provider, service) in enumerate(others):
        _small_talk(casey, service, unread=0 if number else 1, hours=20 + number * 30, now=now)
        created += 1
    jordan, mei, tom = _customers()
    priya_listings = list(service_public().filter(provider=priya).order_by("pk")[:2])
    for customer, service, unread, hours in (
        (jordan, priya_listings[0], 1, 3),
        (mei, priya_listings[-1], 0, 30),
    ):
        _small_talk(customer, service, unread=unread, hours=hours, now=now)
        created += 1
    for _provider, service in others[:1]:
        _small_talk(tom, service, unread=1, hours=8, now=now)
        created += 1
    return created
