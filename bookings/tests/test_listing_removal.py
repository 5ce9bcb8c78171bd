"""A listing with bookings is archived when its provider deletes it, never a 500: its
bookings stay intact and keep its title, and it leaves every public page and the portal."""

import pytest

from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from listings.models import Service
from listings.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(service, customer):
    """`service` with a confirmed booking by `customer`."""
    BookingFactory(service=service, customer=customer, status="accepted")
    return service


def test_deleting_a_booked_listing_archives_it_with_a_clear_message(client, booked):
    client.force_login(booked.provider.user)

    confirm = client.get(f"/portal/listings/{booked.pk}/delete/")
    assert "This listing has bookings, so we archive it" in confirm.content.decode()
    response = client.post(f"/portal/listings/{booked.pk}/delete/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [("/portal/listings/", 302)]
    assert "is archived: customers can no longer find or book it" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == Service.Status.ARCHIVED
    assert Booking.objects.get().service == booked


def test_an_archived_listing_leaves_the_public_pages_and_the_portal_list(client, booked, customer):
    url = booked.get_absolute_url()
    category_city = f"/{booked.subcategory.slug}/{booked.city.slug}/"
    assert booked.title in client.get(category_city).content.decode()
    client.force_login(booked.provider.user)
    client.post(f"/portal/listings/{booked.pk}/delete/")
    client.logout()

    assert client.get(url).status_code == 404
    assert booked.title not in client.get(category_city).content.decode()
    assert booked.title not in client.get("/search/?q=switchboard").content.decode()

    client.force_login(booked.provider.user)
    portal = client.get("/portal/listings/").content.decode()
    active, _, archived = portal.partition('id="archived-title"')
    assert f"/portal/listings/{booked.pk}/edit/" not in active
    assert booked.title in archived
    for page in ("edit", "photos", "delete"):
        assert client.get(f"/portal/listings/{booked.pk}/{page}/").status_code == 404


def test_its_bookings_keep_their_title_and_it_takes_no_new_ones(client, booked, customer):
    client.force_login(booked.provider.user)
    client.post(f"/portal/listings/{booked.pk}/delete/")

    client.force_login(customer)
    booking = Booking.objects.get()
    page = client.get(f"/bookings/{booking.pk}/")
    assert page.status_code == 200 and booked.title in page.content.decode()
    assert client.get(f"/bookings/new/{booked.pk}/").status_code == 404


def test_a_listing_without_bookings_is_still_deleted(client, service):
    other = ServiceFactory(provider=service.provider, title="Never booked")
    client.force_login(service.provider.user)

    response = client.post(f"/portal/listings/{other.pk}/delete/", follow=True)

    assert "is deleted, with its photos" in response.content.decode()
    assert not Service.objects.filter(pk=other.pk).exists()
