"""Posted jobs and quotes: every transition and refusal, the accept flow, pages, 404s, queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.models import ProviderProfile
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from bookings.locking import SlotTaken
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from jobs import services as job_services
from jobs.models import JobRequest, Quote
from jobs.tasks import expire_jobs_and_quotes
from jobs.tests.support import send_quote, start_at
from listings.tests.factories import ServiceFactory
from marketplace.errors import Conflict, Invalid, NotAllowed, WrongState
from notifications.models import Notification
from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db

PERTH = Point(115.8605, -31.9505, srid=4326)


# --- Posting and withdrawing ------------------------------------------------------------------


def test_posting_a_job_resolves_the_place_and_opens_it_for_14_days(job, places):
    assert job.status == JobRequest.Status.OPEN
    assert job.place_name == "Bondi, NSW"
    assert job.city.name == "Sydney"
    assert job.point.equals_exact(places["bondi"].point, 1e-6)
    assert timedelta(days=13) < job.expires_at - timezone.now() <= timedelta(days=14)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"place": "Atlantis"}, "place"),
        ({"budget_min": Decimal("300"), "budget_max": Decimal("100")}, "budget_max"),
        ({"title": "  "}, "title"),
        ({"date_from": timezone.localdate() - timedelta(days=2)}, "date_from"),
        ({"subcategory": None}, "subcategory"),
    ],
)
def test_posting_refuses_bad_input_and_writes_nothing(
    customer, subcategory, places, changes, field
):
    values = {
        "customer": customer,
        "subcategory": subcategory,
        "title": "Fix a tap",
        "description": "Drips.",
        "place": "Bondi",
    } | changes
    with pytest.raises(Invalid) as error:
        job_services.job_post(**values)
    assert field in error.value.fields
    assert not JobRequest.objects.exists()


def test_an_unknown_place_gets_a_clear_message(customer, subcategory, places):
    with pytest.raises(Invalid, match="could not find that suburb"):
        job_services.job_post(
            customer=customer, subcategory=subcategory, title="Tap", description="x", place="Zzq"
        )


def test_asking_one_provider_from_a_listing(customer, plumbers, subcategory):
    service = plumbers[0].services.get()
    job = job_services.job_post(
        customer=customer, subcategory=None, title="Tap", description="x", place="Bondi",
        service=service,
    )  # fmt: skip
    assert job.provider == plumbers[0] and job.subcategory == subcategory
    assert Notification.objects.filter(recipient=plumbers[0].user, kind="job_quote_requested")
    with pytest.raises(NotAllowed, match="only on jobs"):
        send_quote(job, plumbers[1])
    assert send_quote(job, plumbers[0]).service == service


def test_you_cannot_ask_yourself_for_a_quote(plumbers):
    service = plumbers[0].services.get()
    with pytest.raises(NotAllowed, match="yourself"):
        job_services.job_post(
            customer=plumbers[0].user, subcategory=None, title="Tap", description="x",
            place="Bondi", service=service,
        )  # fmt: skip


def test_withdrawing_a_job_declines_its_quotes_and_tells_the_providers(job, plumbers, customer):
    first, second = send_quote(job, plumbers[0]), send_quote(job, plumbers[1])
    job_services.quote_withdraw(quote=second, actor=plumbers[1].user)
    job_services.job_withdraw(job=job, actor=customer)
    job.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert job.status == JobRequest.Status.WITHDRAWN
    assert first.status == Quote.Status.DECLINED and second.status == Quote.Status.WITHDRAWN
    assert list(
        Notification.objects.filter(kind="job_withdrawn").values_list("recipient", flat=True)
    ) == [plumbers[0].user_id]
    with pytest.raises(WrongState, match="cannot be withdrawn"):
        job_services.job_withdraw(job=job, actor=customer)


def test_only_the_customer_withdraws_a_job(job, plumbers):
    with pytest.raises(NotAllowed, match="Only the customer"):
        job_services.job_withdraw(job=job, actor=plumbers[0].user)
    job.refresh_from_db()
    assert job.status == JobRequest.Status.OPEN


# --- Quoting ----------------------------------------------------------------------------------


def test_sending_a_quote_tells_the_customer(job, plumbers, customer):
    quote = send_quote(job, plumbers[0], message="Washer and labour.")
    assert quote.status == Quote.Status.PENDING
    assert quote.duration_minutes == 90  # from the provider's listing
    assert quote.valid_until <= quote.start
    note = Notification.objects.get(recipient=customer, kind="quote_received")
    assert "$180.00" in note.title and note.url == f"/jobs/{job.pk}/"


def test_one_waiting_quote_per_provider(job, plumbers):
    first = send_quote(job, plumbers[0])
    with pytest.raises(Conflict, match="already sent a quote"):
        send_quote(job, plumbers[0], price="150")
    job_services.quote_withdraw(quote=first, actor=plumbers[0].user)
    assert send_quote(job, plumbers[0], price="150").price == Decimal("150")


def test_providers_who_cannot_do_the_job_cannot_quote(job, plumbers, subcategory):
    other_trade = ServiceFactory().provider
    perth = CityFactory(name="Perth", state="WA", point=PERTH, timezone="Australia/Perth")
    far_away = ServiceFactory(
        subcategory=subcategory, provider=ProviderProfileFactory(approved=True, base_city=perth)
    ).provider
    pending = ProviderProfileFactory(status=ProviderProfile.Status.PENDING)
    ServiceFactory(subcategory=subcategory, provider=pending)
    for provider, message in [
        (other_trade, "only on jobs"),
        (far_away, "only on jobs"),
        (pending, "must be approved"),
        (ProviderProfileFactory(approved=True, user=job.customer), "your own job"),
    ]:
        with pytest.raises(NotAllowed, match=message):
            send_quote(job, provider)
    assert not Quote.objects.exists()


def test_a_quote_needs_a_price_and_a_future_time(job, plumbers):
    with pytest.raises(Invalid) as error:
        send_quote(job, plumbers[0], price="0", start=timezone.now() - timedelta(hours=1))
    assert set(error.value.fields) == {"price", "start"}
    assert not Quote.objects.exists()


def test_a_closed_job_takes_no_quotes(job, plumbers, customer):
    job_services.job_withdraw(job=job, actor=customer)
    with pytest.raises(WrongState, match="no longer taking quotes"):
        send_quote(job, plumbers[0])


def test_only_its_provider_withdraws_a_quote(job, plumbers):
    quote = send_quote(job, plumbers[0])
    with pytest.raises(NotAllowed, match="Only the provider"):
        job_services.quote_withdraw(quote=quote, actor=plumbers[1].user)
    job_services.quote_withdraw(quote=quote, actor=plumbers[0].user)
    with pytest.raises(WrongState, match="cannot be withdrawn"):
        job_services.quote_withdraw(quote=quote, actor=plumbers[0].user)


# --- Accepting --------------------------------------------------------------------------------


def test_accepting_a_quote_books_it_and_declines_the_others(
    job, plumbers, customer, mailoutbox, django_capture_on_commit_callbacks
):
    start = start_at()
    winner = send_quote(job, plumbers[0], price="175.50", start=start)
    loser = send_quote(job, plumbers[1], price="200")
    with django_capture_on_commit_callbacks(execute=True):
        job_services.quote_accept(quote=winner, actor=customer)
    winner.refresh_from_db()
    loser.refresh_from_db()
    job.refresh_from_db()
    booking = winner.booking
    assert booking.status == Booking.Status.ACCEPTED
    assert booking.customer == customer and booking.provider == plumbers[0]
    assert booking.price == Decimal("175.50") and booking.start == start
    assert booking.end == start + timedelta(minutes=90)
    assert booking.events.get().reason == "Quote accepted: $175.50 AUD"
    assert winner.status == Quote.Status.ACCEPTED
    assert loser.status == Quote.Status.DECLINED
    assert job.status == JobRequest.Status.ACCEPTED
    winner_mail = next(m for m in mailoutbox if m.to == [plumbers[0].user.email])
    assert winner_mail.attachments[0][0] == f"booking-{booking.pk}.ics"
    assert any(m.to == [plumbers[1].user.email] for m in mailoutbox)
    assert Notification.objects.filter(recipient=plumbers[1].user, kind="quote_declined")
    with pytest.raises(WrongState, match="no longer open"):
        job_services.quote_accept(quote=loser, actor=customer)


def test_the_in_app_acceptance_does_not_say_a_file_is_attached(
    job, plumbers, customer, mailoutbox, django_capture_on_commit_callbacks
):
    """Only the email carries the calendar file, and its template says so; the in-app text,
    which the email repeats, must not."""
    with django_capture_on_commit_callbacks(execute=True):
        job_services.quote_accept(quote=send_quote(job, plumbers[0]), actor=customer)
    accepted = Notification.objects.get(recipient=plumbers[0].user, kind="quote_accepted")
    assert "attach" not in accepted.body.lower()
    # (The provider is also told that the customer, who saved no card, has yet to pay.)
    (email,) = [
        m for m in mailoutbox if m.to == [plumbers[0].user.email] and accepted.title in m.subject
    ]
    assert email.attachments and email.body.lower().count("attached") == 1


def test_only_the_customer_accepts_a_quote(job, plumbers):
    quote = send_quote(job, plumbers[0])
    with pytest.raises(NotAllowed, match="Only the customer"):
        job_services.quote_accept(quote=quote, actor=plumbers[1].user)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING and not Booking.objects.exists()


def test_a_withdrawn_quote_cannot_be_accepted(job, plumbers, customer):
    quote = send_quote(job, plumbers[0])
    job_services.quote_withdraw(quote=quote, actor=plumbers[0].user)
    with pytest.raises(WrongState, match="cannot be accepted"):
        job_services.quote_accept(quote=quote, actor=customer)


def test_a_quote_whose_time_is_taken_gives_the_slot_taken_message(job, plumbers, customer):
    start = start_at()
    quote = send_quote(job, plumbers[0], start=start)
    send_quote(job, plumbers[1])
    BookingFactory(service=plumbers[0].services.get(), start=start + timedelta(minutes=30))
    with pytest.raises(SlotTaken) as error:
        job_services.quote_accept(quote=quote, actor=customer)
    assert error.value.messages == [
        f"{plumbers[0].business_name} is already booked at that time. Ask them for a new time, "
        "or accept another quote."
    ]
    assert Booking.objects.count() == 1
    assert set(Quote.objects.values_list("status", flat=True)) == {Quote.Status.PENDING}
    job.refresh_from_db()
    assert job.status == JobRequest.Status.OPEN
    assert not Notification.objects.filter(kind__in=["quote_accepted", "quote_declined"])


# --- Expiry -----------------------------------------------------------------------------------


def test_the_beat_task_expires_old_jobs_and_quotes(job, plumbers, customer, subcategory):
    soon = send_quote(job, plumbers[0])
    Quote.objects.filter(pk=soon.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    other = job_services.job_post(
        customer=customer, subcategory=subcategory, title="Tap 2", description="x", place="Bondi"
    )
    waiting = send_quote(other, plumbers[1])
    JobRequest.objects.filter(pk=other.pk).update(expires_at=timezone.now())
    assert expire_jobs_and_quotes() == 2
    soon.refresh_from_db()
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert soon.status == Quote.Status.EXPIRED
    assert other.status == JobRequest.Status.EXPIRED and waiting.status == Quote.Status.EXPIRED
    job.refresh_from_db()
    assert job.status == JobRequest.Status.OPEN
    assert expire_jobs_and_quotes() == 0
    with pytest.raises(WrongState, match="has not expired"):
        job_services.job_expire(job=job)


# --- Pages ------------------------------------------------------------------------------------


def test_posting_a_job_through_the_page(client, customer, subcategory, places):
    client.force_login(customer)
    response = client.post(
        "/jobs/new/",
        {
            "subcategory": subcategory.pk,
            "title": "Fix tap",
            "description": "Drips",
            "place": "Nowhere",
        },
    )
    assert response.status_code == 400
    assert "could not find that suburb" in response.content.decode()
    response = client.post(
        "/jobs/new/",
        {
            "subcategory": subcategory.pk,
            "title": "Fix tap",
            "description": "Drips",
            "place": "Bondi",
        },
    )
    job = JobRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"


def test_asking_for_a_quote_from_the_listing(client, customer, plumbers):
    service = plumbers[0].services.get()
    assert (
        f"/jobs/new/?service={service.pk}"
        in client.get(service.get_absolute_url()).content.decode()
    )
    assert client.get(f"/jobs/new/?service={service.pk}").status_code == 302  # sign in first
    client.force_login(customer)
    page = client.get(f"/jobs/new/?service={service.pk}").content.decode()
    assert f"Ask {plumbers[0].business_name} for a quote" in page
    assert 'name="subcategory"' not in page
    client.post(
        f"/jobs/new/?service={service.pk}", {"title": "Tap", "description": "x", "place": "Bondi"}
    )
    assert JobRequest.objects.get().provider == plumbers[0]


@pytest.mark.parametrize("value", ["²", "٣", "0", "-1", "99999999999999999999", "1e3", "x"])
def test_asking_with_a_service_that_is_no_id_is_a_404(client, customer, plumbers, value):
    client.force_login(customer)
    assert client.get("/jobs/new/", {"service": value}).status_code == 404
    response = client.post(
        f"/jobs/new/?service={value}", {"title": "Tap", "description": "x", "place": "Bondi"}
    )
    assert response.status_code == 404
    assert not JobRequest.objects.exists()


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_job_dates_out_of_range_are_form_errors(client, customer, subcategory, places, value):
    client.force_login(customer)
    for name in ("date_from", "date_to"):
        response = client.post(
            "/jobs/new/",
            {"subcategory": subcategory.pk, "title": "Fix tap", "description": "Drips",
             "place": "Bondi", name: value},
        )  # fmt: skip
        assert response.status_code == 400
        assert response.context["form"].errors[name] == [
            "Enter a date from 1 January 2000 to 31 December 2100."
        ]
    assert not JobRequest.objects.exists()


@pytest.mark.parametrize("value", ["9999-12-31", "2101-01-01"])
def test_a_quote_starting_out_of_range_is_a_form_error(client, job, plumbers, value):
    client.force_login(plumbers[0].user)
    response = client.post(
        f"/portal/jobs/{job.pk}/",
        {"price": "220", "date": value, "time": "23:30", "duration_minutes": "480"},
    )
    assert response.status_code == 400
    assert "Enter a date from 1 January 2000 to 31 December 2100." in response.content.decode()
    assert not Quote.objects.exists()


def test_quote_and_accept_through_the_pages(client, job, plumbers, customer):
    client.force_login(plumbers[0].user)
    listing = client.get("/portal/jobs/").content.decode()
    assert job.title in listing
    day = (timezone.now() + timedelta(days=4)).date()
    response = client.post(
        f"/portal/jobs/{job.pk}/",
        {"price": "220", "date": day.isoformat(), "time": "09:30", "duration_minutes": "120"},
    )
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert quote.start.astimezone(job.zone).hour == 9  # entered in Sydney time
    assert job.title not in client.get("/portal/jobs/").content.decode()  # quoted already
    assert job.title in client.get("/portal/jobs/quotes/").content.decode()

    client.force_login(customer)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "$220.00" in page and "9:30 am" in page and "Sydney time" in page
    response = client.post(f"/jobs/{job.pk}/quotes/{quote.pk}/accept/")
    quote.refresh_from_db()
    assert response.status_code == 302 and response.url == f"/bookings/{quote.booking_id}/"


def test_a_taken_time_is_a_message_on_the_job_page(client, job, plumbers, customer):
    start = start_at()
    quote = send_quote(job, plumbers[0], start=start)
    BookingFactory(service=plumbers[0].services.get(), start=start)
    client.force_login(customer)
    response = client.post(f"/jobs/{job.pk}/quotes/{quote.pk}/accept/", follow=True)
    assert "already booked at that time" in response.content.decode()
    assert not Booking.objects.filter(status="accepted").exists()


def test_other_people_get_404s(client, job, plumbers, subcategory):
    quote = send_quote(job, plumbers[0])
    client.force_login(UserFactory())
    for url in [f"/jobs/{job.pk}/", f"/jobs/{job.pk}/withdraw/"]:
        assert client.get(url).status_code in (404, 405)
    assert client.post(f"/jobs/{job.pk}/withdraw/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/quotes/{quote.pk}/accept/").status_code == 404
    outsider = ServiceFactory().provider  # another trade
    client.force_login(outsider.user)
    assert client.get(f"/portal/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/portal/jobs/quotes/{quote.pk}/withdraw/").status_code == 404
    client.force_login(plumbers[1].user)
    assert client.get(f"/portal/jobs/{job.pk}/").status_code == 200
    assert client.post(f"/portal/jobs/quotes/{quote.pk}/withdraw/").status_code == 404


def test_a_job_for_one_provider_is_hidden_from_the_others(client, customer, plumbers):
    job = job_services.job_post(
        customer=customer, subcategory=None, title="Only you", description="x", place="Bondi",
        service=plumbers[0].services.get(),
    )  # fmt: skip
    client.force_login(plumbers[1].user)
    assert "Only you" not in client.get("/portal/jobs/").content.decode()
    assert client.get(f"/portal/jobs/{job.pk}/").status_code == 404
    client.force_login(plumbers[0].user)
    assert "Only you" in client.get("/portal/jobs/").content.decode()


# --- Query counts -----------------------------------------------------------------------------

# Session, user, provider check, the bell's unread count and the Messages count: every
# signed-in page's header.
HEADER = 5


def _jobs(customer, subcategory, count):
    for n in range(count):
        job_services.job_post(
            customer=customer, subcategory=subcategory, title=f"Job {n}", description="x",
            place="Bondi",
        )  # fmt: skip


@pytest.mark.parametrize("count", [1, 20])
def test_my_jobs_query_count(
    client, customer, subcategory, places, count, django_assert_num_queries
):
    _jobs(customer, subcategory, count)
    client.force_login(customer)
    with django_assert_num_queries(HEADER + 1):
        page = client.get("/jobs/")
    assert page.content.decode().count('class="booking-row"') == count


@pytest.mark.parametrize("count", [1, 20])
def test_jobs_near_you_query_count(
    client, customer, subcategory, plumbers, count, django_assert_num_queries
):
    _jobs(customer, subcategory, count)
    client.force_login(plumbers[0].user)
    with django_assert_num_queries(HEADER + 1):
        page = client.get("/portal/jobs/")
    assert page.content.decode().count('class="booking-row"') == count


@pytest.mark.parametrize("count", [1, 20])
def test_your_quotes_query_count(
    client, customer, subcategory, plumbers, count, django_assert_num_queries
):
    _jobs(customer, subcategory, count)
    for job in JobRequest.objects.all():
        send_quote(job, plumbers[0])
    client.force_login(plumbers[0].user)
    with django_assert_num_queries(HEADER + 1):
        page = client.get("/portal/jobs/quotes/")
    assert page.content.decode().count('class="booking-row"') == count


def test_a_listing_quoted_from_is_archived_not_deleted(client, job, plumbers):
    quote = send_quote(job, plumbers[0])
    client.force_login(plumbers[0].user)

    response = client.post(f"/portal/listings/{quote.service_id}/delete/", follow=True)

    assert "is archived" in response.content.decode()
    quote.refresh_from_db()
    assert quote.service.status == "archived" and quote.status == "pending"


def test_jobs_near_you_pages_past_the_first(
    client, customer, subcategory, plumbers, monkeypatch, django_assert_num_queries
):
    from jobs import views

    monkeypatch.setattr(views, "JOBS_PER_PAGE", 3)
    _jobs(customer, subcategory, 4)
    client.force_login(plumbers[0].user)
    first = client.get("/portal/jobs/").content.decode()
    assert first.count('class="booking-row"') == 3
    assert 'rel="next" href="?page=2"' in first and "Job 0" not in first
    with django_assert_num_queries(HEADER + 1):
        second = client.get("/portal/jobs/?page=2").content.decode()
    assert second.count('class="booking-row"') == 1 and "Job 0" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get("/portal/jobs/?page=x").status_code == 200  # no number: the first page


def test_the_job_form_says_optional_once(client, customer):
    client.force_login(customer)
    page = client.get("/jobs/new/").content.decode()
    assert "(optional) <span" not in page and "optional)</label>" not in page
    assert 'Budget from (AUD) <span class="field__optional">(optional)</span>' in page
    assert 'Latest date <span class="field__optional">(optional)</span>' in page


def test_a_quote_shows_no_insurance_check_once_the_policy_expired(client, job, plumbers, customer):
    from accounts.models import insurance_badge_today

    ProviderProfile.objects.filter(pk=plumbers[0].pk).update(
        insurance_verified=True, insurance_expires_on=insurance_badge_today()
    )
    send_quote(job, plumbers[0])
    client.force_login(customer)
    assert "Insurance checked" not in client.get(job.get_absolute_url()).text
    ProviderProfile.objects.filter(pk=plumbers[0].pk).update(insurance_expires_on=None)
    assert "Insurance checked" in client.get(job.get_absolute_url()).text
