"""Payout details: validated, normalised, shown masked, the provider's own only."""

import pytest
from django.urls import reverse

from accounts.tests.factories import ProviderProfileFactory
from marketplace.errors import Invalid
from payments.models import PayoutAccount
from payments.services.payout_accounts import payout_account_save

GOOD = {
    "account_name": "Sparky  Electrical",
    "bsb": "062-000",
    "account_number": "1234 5678",
    "abn": "51 824 753 556",
    "gst_registered": True,
}


@pytest.fixture
def profile(db):
    return ProviderProfileFactory(approved=True)


def test_saving_normalises_the_typed_digits(profile):
    account = payout_account_save(provider=profile, **GOOD)
    account.refresh_from_db()
    assert (account.account_name, account.bsb, account.account_number, account.abn) == (
        "Sparky Electrical",
        "062000",
        "12345678",
        "51824753556",
    )
    assert account.bsb_display == "062-000"
    assert account.account_number_masked == "•••••678"


def test_saving_again_replaces_the_details(profile):
    payout_account_save(provider=profile, **GOOD)
    payout_account_save(
        provider=profile, **{**GOOD, "account_number": "99999", "abn": "", "gst_registered": False}
    )
    account = PayoutAccount.objects.get(provider=profile)
    assert (account.account_number, account.abn, account.gst_registered) == ("99999", "", False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("account_name", "", "Enter the name"),
        ("account_name", "x" * 33, "at most 32"),
        ("account_name", "=HYPERLINK(1)", "starting with a letter"),
        ("account_name", "Zoë Smith", "Use plain letters"),
        ("bsb", "12345", "6 digits"),
        ("bsb", "\uff11\uff12\uff13\uff14\uff15\uff16", "6 digits"),  # full-width digits
        ("bsb", "٠٦٢٠٠٠", "6 digits"),  # Arabic-Indic digits, which int() takes
        ("bsb", "06200²", "6 digits"),  # which str.isdigit() takes
        ("account_number", "1234", "5 to 9"),
        ("account_number", "1234567890", "5 to 9"),
        ("account_number", "99999999999999999999999", "5 to 9"),
        ("account_number", "12a45", "5 to 9"),
        ("abn", "51824753557", "not a valid ABN"),
        ("abn", "5182475355", "not a valid ABN"),
        ("abn", "٥١٨٢٤٧٥٣٥٥٦", "not a valid ABN"),
    ],
)
def test_bad_details_are_refused_with_a_message_and_change_nothing(profile, field, value, message):
    with pytest.raises(Invalid) as refused:
        payout_account_save(provider=profile, **{**GOOD, field: value})
    assert message in " ".join(refused.value.fields[field])
    assert not PayoutAccount.objects.exists()


def test_gst_registration_needs_an_abn(profile):
    with pytest.raises(Invalid) as refused:
        payout_account_save(provider=profile, **{**GOOD, "abn": " "})
    assert "GST registration needs one" in refused.value.fields["abn"][0]
    payout_account_save(provider=profile, **{**GOOD, "abn": "", "gst_registered": False})


def test_the_page_saves_and_then_shows_the_number_masked(client, profile):
    client.force_login(profile.user)
    url = reverse("portal_payout_account")
    response = client.post(url, GOOD, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your payout details are saved" in page
    assert "•••••678" in page and "062-000" in page
    assert "12345678" not in page


def test_the_page_shows_each_mistake_beside_its_input(client, profile):
    client.force_login(profile.user)
    response = client.post(
        reverse("portal_payout_account"), {**GOOD, "bsb": "٣٣٣", "account_number": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A BSB is 6 digits" in page and "An account number is 5 to 9 digits" in page
    assert not PayoutAccount.objects.exists()


def test_an_empty_form_says_what_is_missing(client, profile):
    client.force_login(profile.user)
    response = client.post(reverse("portal_payout_account"), {})
    assert response.status_code == 400
    assert "Enter the name on the bank account" in response.content.decode()


def test_an_overlong_input_is_a_form_error_not_a_crash(client, profile):
    client.force_login(profile.user)
    response = client.post(reverse("portal_payout_account"), {**GOOD, "bsb": "1" * 10_000})
    assert response.status_code == 400
    assert not PayoutAccount.objects.exists()


def test_a_customer_is_sent_to_onboarding(client, customer):
    client.force_login(customer)
    response = client.get(reverse("portal_payout_account"))
    assert response.status_code == 302
    assert response.url == reverse("portal_onboarding")


def test_another_providers_details_are_never_shown(client, profile):
    payout_account_save(provider=profile, **GOOD)
    other = ProviderProfileFactory(approved=True)
    client.force_login(other.user)
    page = client.get(reverse("portal_payout_account")).content.decode()
    assert "Sparky Electrical" not in page and "•••••678" not in page
