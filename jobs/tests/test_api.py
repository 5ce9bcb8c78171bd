"""The jobs and quotes API: post, list, see, withdraw; quote, list quotes, accept, revise."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from jobs import services as job_services
from jobs.models import JobRequest, Quote
from jobs.tests.support import send_quote, start_at
from listings.tests.factories import ServiceFactory, SubcategoryFactory

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def job_body(kind, **extra) -> dict:
    return {
        "subcategory": kind.pk,
        "title": "Fix a leaking tap",
        "description": "The kitchen tap drips all night.",
        "place": "Bondi",
        "budget_min": "100",
        "budget_max": "300",
        **extra,
    }


def quote_body(**extra) -> dict:
    return {
        "price": "180.00",
        "start": start_at().isoformat(),
        "message": "Parts included.",
    } | extra


# --- Jobs --------------------------------------------------------------------------------------


def test_a_customer_posts_a_job_and_owner_fields_are_ignored(customer, subcategory, places):
    other = UserFactory()
    body = job_body(
        subcategory, status="accepted", customer=other.pk, expires_at="2099-01-01T00:00Z", id=9
    )
    answer = as_user(customer).post("/api/jobs/", body, format="json")
    assert answer.status_code == 201, answer.json()
    job = JobRequest.objects.get()
    assert answer.json()["id"] == job.pk and answer.json()["status"] == "open"
    assert job.customer == customer and job.status == "open" and job.place_name.startswith("Bondi")
    assert answer.json()["allowed_actions"] == ["withdraw"]


def test_a_job_for_a_whole_category(customer, subcategory, places):
    body = job_body(subcategory, category=subcategory.category_id)
    body.pop("subcategory")
    answer = as_user(customer).post("/api/jobs/", body, format="json")
    assert answer.status_code == 201
    assert answer.json()["kind"] == f"{subcategory.category.name}: any kind"


def test_bad_job_input_is_a_400_and_writes_nothing(customer, subcategory, places):
    client = as_user(customer)
    cases = [
        job_body(subcategory, subcategory=2**70),
        job_body(subcategory, subcategory=2**62),
        job_body(subcategory, budget_min="1e20"),
        job_body(subcategory, budget_min="300", budget_max="100"),
        job_body(subcategory, date_from="9999-01-01"),
        job_body(subcategory, date_from="2026-02-30"),
        job_body(subcategory, title="t" * 121),
        job_body(subcategory, description="d" * 100_000),
        job_body(subcategory, place="Atlantis"),
        job_body(subcategory, title=["a"]),
        job_body(subcategory, service=2**62),
        {},
    ]
    for body in cases:
        answer = client.post("/api/jobs/", body, format="json")
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["code"] == "invalid" and answer.json()["fields"]
    assert client.post("/api/jobs/", "{", content_type="application/json").status_code == 400
    assert not JobRequest.objects.exists()


def test_lists_the_customers_own_and_the_providers_matching_jobs(
    job, customer, plumbers, subcategory
):
    stranger = UserFactory()
    as_user(stranger).post(
        "/api/jobs/", job_body(SubcategoryFactory(name="Roofing")), format="json"
    )
    mine = as_user(customer).get("/api/jobs/").json()
    assert [row["id"] for row in mine["results"]] == [job.pk]
    near = as_user(plumbers[0].user).get("/api/jobs/").json()
    assert [row["id"] for row in near["results"]] == [job.pk]  # not the roofing job
    assert near["next"] is None and near["previous"] is None
    as_provider_customer = as_user(plumbers[0].user).get("/api/jobs/", {"role": "customer"})
    assert as_provider_customer.json()["results"] == []
    refused = as_user(customer).get("/api/jobs/", {"role": "provider"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert as_user(customer).get("/api/jobs/", {"role": "admin"}).status_code == 400


def _jobs(customer, subcategory, count):
    for n in range(count):
        job_services.job_post(
            customer=customer,
            subcategory=subcategory,
            title=f"Job {n}",
            description="Something to fix.",
            place="Bondi",
        )


@pytest.mark.parametrize("count", [1, 5])
def test_job_lists_ask_a_constant_number_of_queries(
    customer, subcategory, plumbers, count, django_assert_num_queries
):
    _jobs(customer, subcategory, count)
    with django_assert_num_queries(2):  # the provider profile, the jobs
        mine = as_user(customer).get("/api/jobs/")
    assert len(mine.json()["results"]) == count
    with django_assert_num_queries(2):  # the provider profile, the jobs
        near = as_user(plumbers[0].user).get("/api/jobs/", {"page_size": 3})
    assert len(near.json()["results"]) == min(count, 3)
    assert near.json()["next"] == (2 if count > 3 else None)
    for job in JobRequest.objects.all():
        send_quote(job, plumbers[0])
    with django_assert_num_queries(2):  # the provider profile, the quotes
        quotes = as_user(plumbers[0].user).get("/api/quotes/")
    assert quotes.json()["count"] == count


def test_a_job_is_seen_by_its_customer_and_providers_who_may_quote(job, customer, plumbers):
    assert as_user(customer).get(f"/api/jobs/{job.pk}/").json()["allowed_actions"] == ["withdraw"]
    seen = as_user(plumbers[0].user).get(f"/api/jobs/{job.pk}/")
    assert seen.status_code == 200 and seen.json()["allowed_actions"] == ["quote"]
    roofer = ProviderProfileFactory(approved=True).user
    for outsider in [UserFactory(), roofer]:
        client = as_user(outsider)
        assert client.get(f"/api/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/api/jobs/{job.pk}/quotes/").status_code == 404
        assert client.post(f"/api/jobs/{job.pk}/withdraw/").status_code == 404
    assert as_user(roofer).post(f"/api/jobs/{job.pk}/quotes/", quote_body()).status_code == 404


def test_withdrawing_twice_page_and_api_refuse_alike(client, job, customer):
    assert as_user(customer).post(f"/api/jobs/{job.pk}/withdraw/").json()["status"] == "withdrawn"
    client.force_login(customer)
    page = client.post(f"/jobs/{job.pk}/withdraw/")
    flashed = [str(message) for message in get_messages(page.wsgi_request)]

    answer = as_user(customer).post(f"/api/jobs/{job.pk}/withdraw/")

    assert answer.status_code == 409 and answer.json()["code"] == "wrong_state"
    assert (
        flashed == [answer.json()["message"]] == ["This job is withdrawn: it cannot be withdrawn."]
    )


# --- Quotes ------------------------------------------------------------------------------------


def test_a_provider_quotes_and_the_customer_sees_and_accepts(job, customer, plumbers):
    plumber = as_user(plumbers[0].user)
    sent = plumber.post(
        f"/api/jobs/{job.pk}/quotes/",
        quote_body(status="accepted", provider=plumbers[1].pk, booking=1),
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    quote = Quote.objects.get()
    assert quote.provider == plumbers[0] and quote.status == "pending" and quote.booking is None
    assert sent.json()["allowed_actions"] == ["revise", "withdraw"]
    again = plumber.post(f"/api/jobs/{job.pk}/quotes/", quote_body(), format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    listed = as_user(customer).get(f"/api/jobs/{job.pk}/quotes/").json()
    assert [q["id"] for q in listed["results"]] == [quote.pk]
    assert listed["results"][0]["allowed_actions"] == ["accept", "ask"]
    assert as_user(plumbers[1].user).get(f"/api/jobs/{job.pk}/quotes/").json()["results"] == []

    assert as_user(plumbers[0].user).post(f"/api/quotes/{quote.pk}/accept/").status_code == 404
    assert as_user(UserFactory()).post(f"/api/quotes/{quote.pk}/accept/").status_code == 404
    accepted = as_user(customer).post(f"/api/quotes/{quote.pk}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    quote.refresh_from_db()
    assert accepted.json()["booking"] == quote.booking_id and quote.booking.customer == customer


def test_a_customer_cannot_quote(job, customer):
    answer = as_user(UserFactory()).post(f"/api/jobs/{job.pk}/quotes/", quote_body())
    assert answer.status_code == 403
    assert as_user(customer).get("/api/quotes/").status_code == 403


def test_bad_quote_input_is_a_400(job, plumbers):
    plumber = as_user(plumbers[0].user)
    for extra in [
        {"price": "1e12"},
        {"price": "0"},
        {"price": "abc"},
        {"start": "9999-01-01T10:00:00"},
        {"start": "9999-12-31T23:59:59-10:00"},
        {"start": "0001-01-01T00:00:00+10:00"},
        {"start": "yesterday"},
        {"start": "2020-01-01T10:00:00Z"},
        {"duration_minutes": 2**70},
        {"duration_minutes": 5},
        {"message": "m" * 2001},
    ]:
        answer = plumber.post(f"/api/jobs/{job.pk}/quotes/", quote_body(**extra), format="json")
        assert answer.status_code == 400, (extra, answer.content)
    assert not Quote.objects.exists()


def test_ask_for_a_new_time_then_the_provider_revises(job, customer, plumbers):
    quote = send_quote(job, plumbers[0])
    asked = as_user(customer).post(f"/api/quotes/{quote.pk}/ask-new-time/", {"note": "After 3"})
    assert asked.status_code == 200 and asked.json()["status"] == "asked"
    assert as_user(customer).post(f"/api/quotes/{quote.pk}/accept/").status_code == 409
    revised = as_user(plumbers[0].user).post(
        f"/api/quotes/{quote.pk}/revise/", quote_body(price="150"), format="json"
    )
    assert revised.status_code == 200
    assert revised.json()["replaces"] == quote.pk and revised.json()["price"] == "150.00"
    listed = as_user(customer).get(f"/api/jobs/{job.pk}/quotes/").json()["results"]
    assert [q["id"] for q in listed] == [revised.json()["id"]]
    assert [v["id"] for v in listed[0]["history"]] == [quote.pk]
    assert as_user(plumbers[1].user).post(f"/api/quotes/{quote.pk}/revise/").status_code == 404


def test_the_provider_withdraws_a_quote(job, plumbers):
    quote = send_quote(job, plumbers[0], price="99")
    assert as_user(plumbers[1].user).post(f"/api/quotes/{quote.pk}/withdraw/").status_code == 404
    answer = as_user(plumbers[0].user).post(f"/api/quotes/{quote.pk}/withdraw/")
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    assert Quote.objects.get().price == Decimal("99")


@pytest.mark.parametrize("count", [1, 3])
def test_the_quotes_on_a_job_ask_a_constant_number_of_queries(
    job, customer, subcategory, count, django_assert_num_queries
):
    for _ in range(count):
        send_quote(job, ServiceFactory(subcategory=subcategory).provider)
    client = as_user(customer)
    with django_assert_num_queries(2):  # the job, its quotes with their providers
        answer = client.get(f"/api/jobs/{job.pk}/quotes/")
    assert answer.json()["count"] == count


def test_a_quote_time_without_an_offset_is_the_jobs_city_time(job, plumbers):
    local = start_at().astimezone(job.zone).replace(tzinfo=None)
    answer = as_user(plumbers[0].user).post(
        f"/api/jobs/{job.pk}/quotes/", quote_body(start=local.isoformat()), format="json"
    )
    assert answer.status_code == 201, answer.json()
    assert Quote.objects.get().start == local.replace(tzinfo=job.zone)
