"""The "Message" buttons on the listing, booking, job and portal job pages: each opens the
one conversation with the right context chip; providers never get a cold one."""

import re

import pytest
from django.urls import reverse

from bookings.tests.factories import BookingFactory
from chat.models import Conversation, Message
from jobs.tests.support import send_quote


def _button(html):
    """The fields of the page's Message form, as the browser would post them."""
    form = re.search(r'<form method="post" action="/messages/open/".*?</form>', html, re.S)
    assert form, "no Message button on the page"
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))


def _press(client, page_url):
    data = _button(client.get(page_url).content.decode())
    data.pop("csrfmiddlewaretoken", None)
    response = client.post(reverse("chat_open"), data)
    assert response.status_code == 302, response
    return response, data


def test_listing_button_opens_about_the_listing(client, customer, service):
    client.force_login(customer)
    response, data = _press(client, service.get_absolute_url())
    conversation = Conversation.objects.get()
    assert (conversation.customer, conversation.provider) == (customer, service.provider)
    html = client.get(response.url).content.decode()
    assert "About:" in html and "Listing: Switchboard upgrade" in html
    client.post(conversation.get_absolute_url(), {"body": "Hi", "about": data["about"]})
    assert Message.objects.get().service == service


def test_listing_button_asks_anonymous_people_to_sign_in(client, service):
    html = client.get(service.get_absolute_url()).content.decode()
    assert "Sign in to message" in html
    assert f'href="/accounts/login/?next={service.get_absolute_url()}"' in html


def test_no_button_on_your_own_listing(client, pro, service):
    client.force_login(pro)
    assert "/messages/open/" not in client.get(service.get_absolute_url()).content.decode()


@pytest.mark.parametrize("side", ["customer", "provider"])
def test_booking_button_for_both_sides(client, customer, pro, service, side):
    booking = BookingFactory(service=service, customer=customer)
    client.force_login(customer if side == "customer" else pro)
    _press(client, booking.get_absolute_url())
    conversation = Conversation.objects.get()
    assert (conversation.customer, conversation.provider) == (customer, service.provider)


def test_quote_button_on_the_customers_job_page(client, customer, job, plumbers):
    quote = send_quote(job, plumbers[0])
    client.force_login(customer)
    response, data = _press(client, reverse("job_detail", args=[job.pk]))
    assert data["about"] == f"quote:{quote.pk}"
    assert Conversation.objects.get().provider == plumbers[0]
    assert "Quote: Fix a leaking tap" in client.get(response.url).content.decode()


def test_job_button_on_the_providers_portal_job_page(client, customer, job, plumbers):
    client.force_login(plumbers[0].user)
    response, data = _press(client, reverse("portal_job_detail", args=[job.pk]))
    assert data == {"customer": str(customer.pk), "about": f"job:{job.pk}", "next": data["next"]}
    assert Conversation.objects.get().customer == customer
    html = client.get(response.url).content.decode()
    assert f'href="{reverse("portal_job_detail", args=[job.pk])}"' in html


def test_a_provider_cannot_reuse_the_button_for_a_job_out_of_reach(client, customer, job, service):
    client.force_login(service.provider.user)  # an electrician: not a tap repair provider
    response = client.post(
        reverse("chat_open"), {"customer": customer.pk, "about": f"job:{job.pk}"}, follow=True
    )
    assert "only when you can quote on it" in response.content.decode()
    assert not Conversation.objects.exists()
