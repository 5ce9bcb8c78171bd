"""/bookings/<id>/pay/: the customer picks a card for a payment that needs one, failed, or is
not yet authorised; it is authorised at once when due. Everyone else gets 404."""

import pytest

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from payments.models import Payment
from payments.services.opening import payment_open
from payments.testing import CARD_CHARGE_DECLINED, card_saved


@pytest.fixture
def payment(booking):
    return payment_open(booking=booking)


def test_the_page_offers_the_customers_cards(client, customer, booking, payment):
    card = card_saved(customer)
    client.force_login(customer)
    html = client.get(f"/bookings/{booking.pk}/pay/").content.decode()
    assert f'name="card" value="{card.pk}" checked' in html
    assert "Total: $180.00 AUD" in html


def test_a_card_for_a_pending_booking_is_saved_for_when_it_is_accepted(
    client, customer, booking, payment
):
    card = card_saved(customer)
    client.force_login(customer)
    page = client.post(f"/bookings/{booking.pk}/pay/", {"card": card.pk}, follow=True)
    payment.refresh_from_db()
    assert (payment.state, payment.card) == (Payment.State.SCHEDULED, card)
    assert "Card saved" in page.content.decode()
    assert page.redirect_chain[-1][0] == f"/bookings/{booking.pk}/"


def test_paying_again_after_a_failure_holds_the_money(client, customer, booking, payment):
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.ACCEPTED)
    Payment.objects.filter(pk=payment.pk).update(
        state=Payment.State.FAILED, failure_message="Your card was declined."
    )
    card = card_saved(customer)
    client.force_login(customer)
    assert "The last payment failed" in client.get(f"/bookings/{booking.pk}/pay/").content.decode()
    page = client.post(f"/bookings/{booking.pk}/pay/", {"card": card.pk}, follow=True)
    payment.refresh_from_db()
    assert payment.state == Payment.State.HELD
    assert "Payment held" in page.content.decode()


def test_a_declined_card_says_so_and_keeps_the_booking(client, customer, booking, payment):
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.ACCEPTED)
    card = card_saved(customer, CARD_CHARGE_DECLINED)
    client.force_login(customer)
    page = client.post(f"/bookings/{booking.pk}/pay/", {"card": card.pk}, follow=True)
    payment.refresh_from_db()
    assert payment.state == Payment.State.FAILED
    assert "Payment failed" in page.content.decode() and "Try another card" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ACCEPTED


@pytest.mark.parametrize(
    "value", ["", "new", "٣", "²", "abc", "-1", "0", "99999999999999999999", "1e309", "\x00"]
)
def test_bad_card_values_get_a_message_and_change_nothing(
    client, customer, booking, payment, value
):
    client.force_login(customer)
    response = client.post(f"/bookings/{booking.pk}/pay/", {"card": value})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    payment.refresh_from_db()
    assert (payment.state, payment.card) == (Payment.State.NEEDS_CARD, None)


def test_another_persons_card_is_refused(client, customer, booking, payment):
    theirs = card_saved(UserFactory())
    client.force_login(customer)
    response = client.post(f"/bookings/{booking.pk}/pay/", {"card": theirs.pk})
    assert response.status_code == 403
    assert "not one of yours" in response.content.decode()
    payment.refresh_from_db()
    assert payment.card is None


@pytest.mark.parametrize("who", ["provider", "stranger"])
def test_everyone_but_the_customer_gets_404(client, booking, payment, who):
    user = booking.provider.user if who == "provider" else UserFactory()
    client.force_login(user)
    assert client.get(f"/bookings/{booking.pk}/pay/").status_code == 404
    assert client.post(f"/bookings/{booking.pk}/pay/", {"card": 1}).status_code == 404


def test_a_booking_with_nothing_to_pay_is_404(client, customer, booking):
    client.force_login(customer)
    assert client.get(f"/bookings/{booking.pk}/pay/").status_code == 404
    assert client.get("/bookings/99999999999999999999/pay/").status_code == 404


def test_a_held_payment_needs_no_card(client, customer, booking, payment):
    Payment.objects.filter(pk=payment.pk).update(state=Payment.State.HELD)
    client.force_login(customer)
    page = client.get(f"/bookings/{booking.pk}/pay/", follow=True)
    assert "does not need a card now" in page.content.decode()
