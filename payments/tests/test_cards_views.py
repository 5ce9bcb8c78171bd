"""The saved cards page and the card component's endpoints (JSON for card.js, forms too):
saving a card confirmed on localstripe, making it the default, removing it; another
person's card is a 404; bad input changes nothing."""

import pytest

from accounts.tests.factories import UserFactory
from payments.models import Payment, SavedCard
from payments.services.opening import payment_open
from payments.testing import CARD_DECLINED, CARD_OK, card_saved, setup_intent_confirm

JSON = {"HTTP_ACCEPT": "application/json"}


def test_the_page_needs_signing_in(client):
    response = client.get("/payments/cards/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_page_lists_the_cards_in_fixed_queries(
    client, customer, count, django_assert_num_queries
):
    cards = [card_saved(customer) for _ in range(count)]
    client.force_login(customer)
    # session, user, the cards; the header's unread counts and provider profile
    with django_assert_num_queries(6):
        page = client.get("/payments/cards/")
    html = page.content.decode()
    assert html.count('class="saved-card"') == count
    assert f"ending {cards[-1].last4}" in html
    assert html.count(">Default</span>") == 1
    assert "data-card-fields" in html and 'src="/payments/stripe.js"' in html


def test_the_account_menu_links_the_page(client, customer):
    client.force_login(customer)
    assert 'href="/payments/cards/"' in client.get("/bookings/").content.decode()


def test_setup_answers_a_client_secret_to_the_script(client, customer):
    client.force_login(customer)
    response = client.post("/payments/cards/setup/", **JSON)
    assert response.status_code == 200
    assert "_secret_" in response.json()["client_secret"]


def test_setup_as_a_plain_form_says_it_needs_javascript(client, customer):
    client.force_login(customer)
    response = client.post("/payments/cards/setup/", follow=True)
    assert "needs JavaScript" in response.content.decode()


def _confirmed_setup_intent(client, number=CARD_OK) -> str:
    secret = client.post("/payments/cards/setup/", **JSON).json()["client_secret"]
    setup_intent_confirm(secret, number).raise_for_status()
    return secret.split("_secret_")[0]


def test_save_keeps_the_confirmed_card_as_the_default(client, customer):
    client.force_login(customer)
    first = card_saved(customer)
    setup_intent = _confirmed_setup_intent(client)
    response = client.post("/payments/cards/save/", {"setup_intent": setup_intent}, **JSON)
    assert response.status_code == 201
    saved = response.json()["card"]
    assert (saved["last4"], saved["is_default"]) == ("4242", True)
    first.refresh_from_db()
    assert not first.is_default
    assert SavedCard.objects.get(pk=saved["id"]).user == customer


def test_a_declined_card_is_refused_by_stripe_and_nothing_is_saved(client, customer):
    client.force_login(customer)
    secret = client.post("/payments/cards/setup/", **JSON).json()["client_secret"]
    assert setup_intent_confirm(secret, CARD_DECLINED).status_code == 402
    response = client.post(
        "/payments/cards/save/", {"setup_intent": secret.split("_secret_")[0]}, **JSON
    )
    assert response.status_code == 400
    assert "not confirmed" in response.json()["message"]
    assert not SavedCard.objects.exists()


@pytest.mark.parametrize(
    "value", ["", "seti_nothing", "pi_123", "x" * 300, "٣", "seti_\x00", "javascript:alert(1)"]
)
def test_save_refuses_bad_input_with_a_message(client, customer, value):
    client.force_login(customer)
    card_saved(customer)  # has a Stripe customer
    response = client.post("/payments/cards/save/", {"setup_intent": value}, **JSON)
    assert response.status_code == 400
    assert response.json()["message"]
    assert SavedCard.objects.count() == 1


def test_someone_elses_setup_intent_is_refused(client, customer):
    other = UserFactory()
    client.force_login(other)
    theirs = _confirmed_setup_intent(client)
    client.force_login(customer)
    card_saved(customer)
    response = client.post("/payments/cards/save/", {"setup_intent": theirs}, **JSON)
    assert response.status_code == 400
    assert not SavedCard.objects.filter(user=customer).exclude(last4="4242").exists()
    assert SavedCard.objects.filter(user=customer).count() == 1


def test_save_as_a_form_redirects_with_a_message(client, customer):
    client.force_login(customer)
    setup_intent = _confirmed_setup_intent(client)
    response = client.post("/payments/cards/save/", {"setup_intent": setup_intent}, follow=True)
    assert "Visa ending 4242 is saved" in response.content.decode()


def test_make_default_and_remove_as_forms(client, customer):
    first, second = card_saved(customer), card_saved(customer)
    client.force_login(customer)
    page = client.post(f"/payments/cards/{first.pk}/default/", follow=True)
    assert "New bookings will be paid with this card." in page.content.decode()
    first.refresh_from_db()
    assert first.is_default
    page = client.post(f"/payments/cards/{first.pk}/remove/", follow=True)
    assert "The card is removed." in page.content.decode()
    assert list(SavedCard.objects.filter(user=customer)) == [second]
    second.refresh_from_db()
    assert second.is_default


def test_make_default_answers_json_to_the_script(client, customer):
    first, _ = card_saved(customer), card_saved(customer)
    client.force_login(customer)
    response = client.post(f"/payments/cards/{first.pk}/default/", **JSON)
    assert response.json()["card"]["is_default"] is True


def test_a_card_paying_an_unsettled_booking_stays_with_the_reason(client, customer, booking):
    card = card_saved(customer)
    assert payment_open(booking=booking).state == Payment.State.SCHEDULED
    client.force_login(customer)
    page = client.post(f"/payments/cards/{card.pk}/remove/", follow=True)
    assert "pays for a booking that is not settled yet" in page.content.decode()
    assert SavedCard.objects.filter(pk=card.pk).exists()
    response = client.post(f"/payments/cards/{card.pk}/remove/", **JSON)
    assert response.status_code == 409


@pytest.mark.parametrize("action", ["default", "remove"])
def test_another_persons_card_is_not_found(client, customer, action):
    card = card_saved(UserFactory())
    client.force_login(customer)
    assert client.post(f"/payments/cards/{card.pk}/{action}/").status_code == 404
    assert client.post(f"/payments/cards/99999999999999999999/{action}/").status_code == 404
    card.refresh_from_db()
    assert card.is_default


def test_the_endpoints_take_only_posts(client, customer):
    client.force_login(customer)
    for url in ("/payments/cards/setup/", "/payments/cards/save/", "/payments/cards/1/default/"):
        assert client.get(url).status_code == 405
