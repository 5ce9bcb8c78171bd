import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ProviderProfile, SignInEvent, User
from accounts.tests.factories import PASSWORD, ProviderProfileFactory, UserFactory
from accounts.tests.test_services import image_upload

pytestmark = pytest.mark.django_db

SIGNUP = {
    "name": "Sam Hirer",
    "email": "sam@example.com",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "role": "customer",
}


def onboarding_data(city, **overrides):
    return {
        "business_name": "Harbour Plumbing",
        "bio": "Blocked drains and hot water.",
        "base_city": city.pk,
        "latitude": "",
        "longitude": "",
        "service_radius_km": "30",
        "phone": "0412 345 678",
        "licence_number": "",
        "insurance_provider": "",
        "insurance_policy_number": "",
        "insurance_expires_on": "",
    } | overrides


@pytest.fixture
def optional_verification(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"


def test_a_customer_signs_up_and_lands_home(client, optional_verification):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(email="sam@example.com")
    assert user.name == "Sam Hirer"
    assert not user.wants_to_offer_services
    assert not user.is_provider


def test_a_provider_signs_up_and_is_sent_to_onboarding(client, optional_verification):
    response = client.post(reverse("account_signup"), SIGNUP | {"role": "provider"})

    assert response["Location"] == reverse("portal_onboarding")
    assert User.objects.get(email="sam@example.com").wants_to_offer_services


def test_the_provider_sign_up_link_preselects_the_role(client):
    response = client.get(reverse("account_signup") + "?role=provider")
    assert response.context["form"]["role"].value() == "provider"


def test_sign_up_with_a_taken_email_changes_nothing_and_does_not_reveal_it(client, customer):
    response = client.post(reverse("account_signup"), SIGNUP | {"email": customer.email})

    # The same answer as for a new address, so nobody can probe who has an account; the owner
    # gets an email saying someone tried.
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=customer.email).count() == 1
    assert User.objects.get(email=customer.email).name == "Casey Customer"
    assert "already" in mail.outbox[0].body


def test_mandatory_verification_holds_the_account_until_the_link_is_followed(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response["Location"] == reverse("account_email_verification_sent")
    assert not client.session.get("_auth_user_id")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)[1]
    client.post(link)
    assert EmailAddress.objects.get(email="sam@example.com").verified
    assert client.session.get("_auth_user_id")


def test_sign_in_and_out_are_logged(client, customer):
    bad = client.post(reverse("account_login"), {"login": customer.email, "password": "wrong"})
    assert bad.status_code == 200
    good = client.post(reverse("account_login"), {"login": customer.email, "password": PASSWORD})
    assert good.status_code == 302
    assert client.session.get("_auth_user_id") == str(customer.pk)
    client.post(reverse("account_logout"))
    assert not client.session.get("_auth_user_id")
    outcomes = list(SignInEvent.objects.order_by("at").values_list("email", "succeeded"))
    assert outcomes == [(customer.email, False), (customer.email, True)]


def test_password_reset_by_email(client, customer):
    client.post(reverse("account_reset_password"), {"email": customer.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "brand-new-passphrase-42", "password2": "brand-new-passphrase-42"},
    )
    customer.refresh_from_db()
    assert customer.check_password("brand-new-passphrase-42")


def test_onboarding_creates_a_profile_waiting_for_approval(client, customer, city):
    client.force_login(customer)
    response = client.post(reverse("portal_onboarding"), onboarding_data(city), follow=True)

    profile = ProviderProfile.objects.get(user=customer)
    assert profile.status == "pending"
    assert profile.base_point == city.point
    assert response.redirect_chain[-1][0] == reverse("portal_home")
    assert "waiting for approval" in response.content.decode().lower()


def test_onboarding_with_a_map_pin_only_uses_the_pin_and_nearest_city(client, customer, city):
    client.force_login(customer)
    data = onboarding_data(city, base_city="", latitude="-33.89", longitude="151.27")
    client.post(reverse("portal_onboarding"), data)

    profile = ProviderProfile.objects.get(user=customer)
    assert profile.base_city == city
    assert (round(profile.base_point.y, 2), round(profile.base_point.x, 2)) == (-33.89, 151.27)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"base_city": ""}, "Choose your city or drop a pin"),
        ({"latitude": "-33.9"}, "needs both a latitude and a longitude"),
        ({"latitude": "-31.9", "longitude": "115.8"}, "more than 250 km from Sydney"),
        ({"service_radius_km": "500"}, "less than or equal to 200"),
        ({"phone": "call me"}, "Enter a phone number"),
        ({"insurance_provider": "QBE"}, "both the insurer and the policy number"),
        (
            {
                "insurance_provider": "QBE",
                "insurance_policy_number": "P-1",
                "insurance_expires_on": "9999-12-31",
            },
            "Enter a date from 1 January 2000 to 31 December 2100.",
        ),
    ],
)
def test_bad_onboarding_input_says_what_is_wrong_and_saves_nothing(
    client, customer, city, overrides, message
):
    client.force_login(customer)
    response = client.post(reverse("portal_onboarding"), onboarding_data(city, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProviderProfile.objects.exists()


def test_the_portal_needs_a_signed_in_user(client):
    response = client.get(reverse("portal_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_portal_sends_people_without_a_profile_to_onboarding(client, customer):
    client.force_login(customer)
    assert client.get(reverse("portal_home"))["Location"] == reverse("portal_onboarding")
    assert client.get(reverse("portal_profile_edit"))["Location"] == reverse("portal_onboarding")


def test_onboarding_again_goes_to_the_portal(client, provider):
    client.force_login(provider)
    assert client.get(reverse("portal_onboarding"))["Location"] == reverse("portal_home")


def test_a_provider_edits_only_their_own_profile(client, city):
    mine = ProviderProfileFactory(business_name="Mine Electrical")
    theirs = ProviderProfileFactory(business_name="Theirs Electrical")
    client.force_login(mine.user)

    page = client.get(reverse("portal_profile_edit")).content.decode()
    assert "Mine Electrical" in page
    assert "Theirs Electrical" not in page

    client.post(
        reverse("portal_profile_edit"),
        onboarding_data(city, business_name="Renamed Electrical"),
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.business_name == "Renamed Electrical"
    assert theirs.business_name == "Theirs Electrical"


def test_the_edit_form_keeps_the_insurance_expiry_date(client, city):
    profile = ProviderProfileFactory(
        insurance_provider="QBE", insurance_policy_number="P-1", insurance_expires_on="2027-08-28"
    )
    client.force_login(profile.user)
    page = client.get(reverse("portal_profile_edit")).content.decode()
    # Date inputs only accept ISO dates, whatever the site's locale.
    assert 'value="2027-08-28"' in page

    data = onboarding_data(city, insurance_provider="QBE", insurance_policy_number="P-1")
    client.post(reverse("portal_profile_edit"), data | {"insurance_expires_on": "2027-09-30"})
    profile.refresh_from_db()
    assert str(profile.insurance_expires_on) == "2027-09-30"


def test_the_portal_home_shows_the_status_and_the_reason(client):
    profile = ProviderProfileFactory(status="suspended", status_reason="Licence expired")
    client.force_login(profile.user)
    page = client.get(reverse("portal_home")).content.decode()
    assert "Suspended" in page
    assert "Licence expired" in page


def test_account_details_are_saved(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("account_details"), {"name": "Casey C.", "phone": "+61 2 9876 5432"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("Casey C.", "+61 2 9876 5432")


def test_avatar_upload_from_the_account_page(client, customer):
    client.force_login(customer)
    response = client.post(reverse("account_avatar"), {"avatar": image_upload()})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.avatar.name.endswith(".jpg")
    assert client.get(reverse("account_details")).status_code == 200


def test_the_avatar_form_says_the_real_limits(client, customer):
    client.force_login(customer)
    page = client.get(reverse("account_details")).content.decode()
    assert (
        "A JPEG, PNG or WebP photo of up to 5 MB, at least 128 pixels a side and at most 50 "
        "megapixels (13 for a PNG, 6 for a WebP). We crop it to a square."
    ) in page


def test_a_bad_avatar_gets_a_message_and_changes_nothing(client, customer):
    client.force_login(customer)
    missing = client.post(reverse("account_avatar"), {})
    assert missing.status_code == 400
    assert "This field is required" in missing.content.decode()

    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(reverse("account_avatar"), {"avatar": fake})
    assert response.status_code == 400
    assert "not an image" in response.content.decode()
    customer.refresh_from_db()
    assert not customer.avatar


def test_account_pages_need_sign_in(client):
    for name in ("account_details", "account_avatar", "portal_onboarding", "portal_profile_edit"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("account_login"))


def test_an_unverified_email_is_shown_as_not_confirmed(client):
    user = UserFactory(verified=False)
    client.force_login(user)
    page = client.get(reverse("account_email")).content.decode()
    assert user.email in page
    assert "Not confirmed" in page
    assert ">Confirmed<" not in page
