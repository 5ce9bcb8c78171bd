"""Quotes against the provider's calendar and the job's dates; asking for a new time and
revising a quote (issue 9, bug 2)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from bookings.models import AvailabilityException, Booking
from bookings.tests.factories import BookingFactory
from jobs import services as job_services
from jobs.models import JobRequest, Quote
from jobs.tests.support import send_quote, start_at
from marketplace.errors import Conflict, Invalid, NotAllowed, WrongState
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _confirmed_booking(provider, start):
    return BookingFactory(
        service=provider.services.get(), start=start, status=Booking.Status.ACCEPTED
    )


# --- The provider's calendar ------------------------------------------------------------------


def test_a_quote_overlapping_a_confirmed_booking_is_refused_at_send(job, plumbers):
    start = start_at()
    _confirmed_booking(plumbers[0], start + timedelta(minutes=30))
    with pytest.raises(Invalid, match="already booked") as error:
        send_quote(job, plumbers[0], start=start)
    assert "start" in error.value.fields
    assert not Quote.objects.exists()
    send_quote(job, plumbers[1], start=start)  # another provider is free then


def test_a_quote_on_a_day_off_is_refused_at_send(job, plumbers):
    start = start_at()
    AvailabilityException.objects.create(
        provider=plumbers[0], date=start.astimezone(job.zone).date(), kind="day_off"
    )
    with pytest.raises(Invalid, match="day off"):
        send_quote(job, plumbers[0], start=start)
    assert not Quote.objects.exists()


def test_a_quote_made_before_the_booking_is_refused_at_accept(job, plumbers, customer):
    start = start_at()
    quote = send_quote(job, plumbers[0], start=start)
    _confirmed_booking(plumbers[0], start)
    with pytest.raises(Conflict, match="Ask them for a new time"):
        job_services.quote_accept(quote=quote, actor=customer)
    quote.refresh_from_db()
    job.refresh_from_db()
    assert quote.status == Quote.Status.PENDING and job.status == JobRequest.Status.OPEN
    assert Booking.objects.count() == 1
    # The way out the message names: ask for a new time on that quote.
    job_services.quote_ask_new_time(quote=quote, actor=customer)


def test_the_job_page_offers_to_ask_for_a_new_time_after_a_refused_accept(
    client, job, plumbers, customer
):
    start = start_at()
    quote = send_quote(job, plumbers[0], start=start)
    _confirmed_booking(plumbers[0], start)
    client.force_login(customer)
    response = client.post(f"/jobs/{job.pk}/quotes/{quote.pk}/accept/", follow=True)
    page = response.content.decode()
    assert "already booked at that time" in page
    assert f'action="/jobs/{job.pk}/quotes/{quote.pk}/ask/"' in page


def test_a_booking_that_wins_the_race_gets_the_same_named_message(
    job, plumbers, customer, monkeypatch
):
    """The calendar check passed but the database's exclusion constraint refused the booking
    (another one took the time in the same instant): the service says the same as its check."""
    start = start_at()
    quote = send_quote(job, plumbers[0], start=start)
    _confirmed_booking(plumbers[0], start)
    monkeypatch.setattr(job_services, "provider_time_clash", lambda **kwargs: None)
    name = plumbers[0].business_name
    with pytest.raises(Conflict, match=f"{name} is already booked at that time. Ask them"):
        job_services.quote_accept(quote=quote, actor=customer)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING and Booking.objects.count() == 1


# --- The job's dates --------------------------------------------------------------------------


@pytest.fixture
def dated_job(customer, subcategory, places):
    first = (datetime.now(UTC) + timedelta(days=3)).date()
    return job_services.job_post(
        customer=customer, subcategory=subcategory, title="Dated", description="x",
        place="Bondi", date_from=first, date_to=first + timedelta(days=2),
    )  # fmt: skip


def _local_start(job, day, hour=10):
    return datetime.combine(day, datetime.min.time(), tzinfo=job.zone).replace(hour=hour)


def test_a_quote_outside_the_jobs_dates_is_refused_at_send(dated_job, plumbers):
    late = _local_start(dated_job, dated_job.date_to + timedelta(days=14))
    early = _local_start(dated_job, dated_job.date_from - timedelta(days=1))
    for start in (late, early):
        with pytest.raises(Invalid, match="within the job's dates") as error:
            send_quote(dated_job, plumbers[0], start=start)
        assert "date" in error.value.fields
    assert not Quote.objects.exists()
    send_quote(dated_job, plumbers[0], start=_local_start(dated_job, dated_job.date_to))


def test_a_quote_ending_after_the_last_date_is_refused(dated_job, plumbers):
    start = _local_start(dated_job, dated_job.date_to, hour=23)
    with pytest.raises(Invalid, match="within the job's dates"):
        send_quote(dated_job, plumbers[0], start=start, duration_minutes=120)


def test_a_quote_outside_the_jobs_dates_is_refused_at_accept(dated_job, plumbers, customer):
    quote = send_quote(dated_job, plumbers[0], start=_local_start(dated_job, dated_job.date_from))
    # The customer narrows nothing, but the stored quote lies outside (as old quotes did).
    Quote.objects.filter(pk=quote.pk).update(start=quote.start + timedelta(days=20))
    quote.refresh_from_db()
    with pytest.raises(Invalid, match="within the job's dates"):
        job_services.quote_accept(quote=quote, actor=customer)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING and not Booking.objects.exists()


# --- Asking for a new time, revising ----------------------------------------------------------


def test_ask_for_a_new_time_then_revise_then_accept(job, plumbers, customer):
    quote = send_quote(job, plumbers[0], start=start_at())
    asked = job_services.quote_ask_new_time(
        quote=quote, actor=customer, note="  Any chance of a Saturday?  "
    )
    assert asked.status == Quote.Status.ASKED and asked.change_note == "Any chance of a Saturday?"
    told = Notification.objects.get(kind="quote_new_time_asked")
    assert told.recipient == plumbers[0].user and "Saturday" in told.body
    with pytest.raises(WrongState):
        job_services.quote_accept(quote=asked, actor=customer)
    with pytest.raises(Conflict):
        send_quote(job, plumbers[0])  # revise the waiting one instead

    revised = job_services.quote_revise(
        quote=asked, actor=plumbers[0].user, price=Decimal("200"), start=start_at(days=6),
        message="Saturday works.",
    )  # fmt: skip
    old = Quote.objects.get(pk=quote.pk)
    assert old.status == Quote.Status.REVISED
    assert revised.status == Quote.Status.PENDING and revised.replaces_id == quote.pk
    assert revised.price == Decimal("200") and revised.message == "Saturday works."
    assert Notification.objects.filter(kind="quote_revised", recipient=customer).exists()
    with pytest.raises(WrongState, match="revised"):
        job_services.quote_accept(quote=old, actor=customer)
    accepted = job_services.quote_accept(quote=revised, actor=customer)
    assert accepted.booking.price == Decimal("200")


def test_a_provider_may_revise_a_waiting_quote_unasked(job, plumbers):
    quote = send_quote(job, plumbers[0])
    revised = job_services.quote_revise(
        quote=quote, actor=plumbers[0].user, price=Decimal("150"), start=start_at(days=4)
    )
    assert revised.replaces_id == quote.pk


def test_a_revision_is_checked_like_a_new_quote(job, plumbers, customer):
    quote = send_quote(job, plumbers[0])
    job_services.quote_ask_new_time(quote=quote, actor=customer)
    _confirmed_booking(plumbers[0], start_at(days=6))
    with pytest.raises(Invalid, match="already booked"):
        job_services.quote_revise(
            quote=quote, actor=plumbers[0].user, price=Decimal("150"), start=start_at(days=6)
        )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ASKED and Quote.objects.count() == 1


def test_only_the_jobs_customer_asks_and_only_the_quotes_provider_revises(job, plumbers, customer):
    quote = send_quote(job, plumbers[0])
    for outsider in (UserFactory(), plumbers[0].user):
        with pytest.raises(NotAllowed):
            job_services.quote_ask_new_time(quote=quote, actor=outsider)
    for outsider in (customer, plumbers[1].user):
        with pytest.raises(NotAllowed):
            job_services.quote_revise(
                quote=quote, actor=outsider, price=Decimal("1"), start=start_at()
            )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING


def test_a_long_note_is_refused(job, plumbers, customer):
    quote = send_quote(job, plumbers[0])
    with pytest.raises(Invalid, match="500"):
        job_services.quote_ask_new_time(quote=quote, actor=customer, note="x" * 501)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING


def test_asking_and_revising_through_the_pages(client, job, plumbers, customer):
    quote = send_quote(job, plumbers[0], start=start_at())
    client.force_login(customer)
    response = client.post(
        f"/jobs/{job.pk}/quotes/{quote.pk}/ask/", {"note": "Mornings are better"}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200 and "for a new time. We will email you" in page
    assert "New time asked for" in page and "Mornings are better" in page

    client.force_login(plumbers[0].user)
    page = client.get("/portal/jobs/quotes/").content.decode()
    assert "New time asked for" in page
    page = client.get(f"/portal/jobs/{job.pk}/").content.decode()
    assert "Mornings are better" in page
    assert f'action="/portal/jobs/quotes/{quote.pk}/revise/"' in page
    day = start_at(days=6).astimezone(job.zone).date()
    response = client.post(
        f"/portal/jobs/quotes/{quote.pk}/revise/",
        {"price": "210", "date": day.isoformat(), "time": "09:00", "duration_minutes": "120"},
    )
    assert response.status_code == 302
    revised = Quote.objects.get(status=Quote.Status.PENDING)
    assert revised.replaces_id == quote.pk

    client.force_login(customer)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "$210.00" in page and "Replaced by a revised quote" in page  # both in the history
    assert f'action="/jobs/{job.pk}/quotes/{revised.pk}/accept/"' in page
    assert f'action="/jobs/{job.pk}/quotes/{quote.pk}/accept/"' not in page


def test_a_bad_revision_is_a_form_error_and_changes_nothing(client, job, plumbers):
    quote = send_quote(job, plumbers[0])
    client.force_login(plumbers[0].user)
    response = client.post(
        f"/portal/jobs/quotes/{quote.pk}/revise/",
        {"price": "abc", "date": "", "time": "9", "duration_minutes": "7"},
    )
    assert response.status_code == 400
    assert Quote.objects.count() == 1


def test_others_get_404_asking_and_revising(client, job, plumbers, customer):
    quote = send_quote(job, plumbers[0])
    client.force_login(UserFactory())
    assert client.post(f"/jobs/{job.pk}/quotes/{quote.pk}/ask/").status_code == 404
    client.force_login(plumbers[1].user)  # can see the job, not this quote
    assert client.post(f"/portal/jobs/quotes/{quote.pk}/revise/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/quotes/{quote.pk}/ask/").status_code == 404
    client.force_login(customer)
    other_job = job_services.job_post(
        customer=customer, subcategory=job.subcategory, title="Other", description="x",
        place="Bondi",
    )  # fmt: skip
    assert client.post(f"/jobs/{other_job.pk}/quotes/{quote.pk}/ask/").status_code == 404
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING
