"""The accounts API: sign-up, verification, JWT sign-in with role claims, passwords, the
signed-in person's profile and public provider profiles."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts import services
from accounts.models import ProviderProfile, SignInEvent, User
from accounts.tests.factories import PASSWORD, ProviderProfileFactory, UserFactory
from accounts.tests.moderators import moderator_make
from accounts.tests.test_services import image_upload

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def api():
    return APIClient(REMOTE_ADDR="198.51.100.7")


def token_pair(api, email: str, password: str = PASSWORD):
    return api.post("/api/auth/token/", {"email": email, "password": password}, format="json")


def signed_in(api, user) -> APIClient:
    access = token_pair(api, user.email).json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api


# --- Sign-up and verification ---------------------------------------------------------------


def test_sign_up_as_a_provider_sends_the_pages_verification_email(api):
    response = api.post(
        "/api/auth/signup/",
        {"email": "Pat@Example.com", "password": PASSWORD, "name": "Pat", "role": "provider"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    user = User.objects.get(email="pat@example.com")
    assert (user.name, user.wants_to_offer_services) == ("Pat", True)
    assert SignInEvent.objects.filter(user=user, kind=SignInEvent.Kind.SIGN_UP).exists()
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body

    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=user)).key
    confirmed = api.post("/api/auth/verify-email/", {"key": key}, format="json")

    assert confirmed.status_code == 200
    assert EmailAddress.objects.get(user=user).verified


def test_sign_up_with_a_taken_email_answers_the_same_and_creates_nobody(api, customer):
    response = api.post(
        "/api/auth/signup/",
        {"email": customer.email, "password": PASSWORD, "name": "Someone"},
        format="json",
    )

    assert response.status_code == 201
    assert User.objects.filter(email=customer.email).count() == 1
    customer.refresh_from_db()
    assert customer.name == "Casey Customer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "new@example.com", "password": "123", "name": "N"}, "password"),
        ({"email": "not-an-email", "password": PASSWORD, "name": "N"}, "email"),
        ({"email": "new@example.com", "password": PASSWORD, "name": "N", "role": "x"}, "role"),
        ({"email": "new@example.com", "password": PASSWORD, "name": "N" * 121}, "name"),
        ({"email": "new@example.com", "password": PASSWORD, "name": 12}, None),
    ],
)
def test_bad_sign_ups_are_refused_field_by_field(api, body, field):
    response = api.post("/api/auth/signup/", body, format="json")

    if field is None:  # a number is taken as its text: a valid name
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not User.objects.filter(email="new@example.com").exists()


def test_bad_json_and_a_bad_key_get_the_one_error_format(api):
    bad_json = api.post("/api/auth/signup/", "{nope", content_type="application/json")
    assert bad_json.status_code == 400
    assert set(bad_json.json()) == {"code", "message", "fields"}

    bad_key = api.post("/api/auth/verify-email/", {"key": "x" * 300}, format="json")
    assert bad_key.status_code == 400
    assert "key" in bad_key.json()["fields"]


# --- Tokens and roles -----------------------------------------------------------------------


def roles_of(response) -> list[str]:
    return AccessToken(response.json()["access"])["roles"]


def test_the_access_token_claims_the_persons_roles(api, customer, provider, admin_user):
    moderator = moderator_make()

    assert roles_of(token_pair(api, customer.email)) == ["customer"]
    assert roles_of(token_pair(api, provider.email)) == ["provider"]
    assert roles_of(token_pair(api, moderator.email)) == ["customer", "moderator"]
    assert roles_of(token_pair(api, admin_user.email)) == ["customer", "admin"]


def test_a_sign_in_is_logged_and_a_wrong_password_is_401(api, customer):
    assert token_pair(api, customer.email).status_code == 200
    wrong = token_pair(api, customer.email, "not-the-password")

    assert wrong.status_code == 401
    assert wrong.json()["code"] == "no_active_account"
    events = SignInEvent.objects.filter(email=customer.email, kind=SignInEvent.Kind.SIGN_IN)
    assert sorted(events.values_list("succeeded", flat=True)) == [False, True]
    customer.refresh_from_db()
    assert customer.last_login is not None


def test_django_axes_locks_the_api_sign_in_as_it_locks_the_page(api, customer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token_pair(api, customer.email, "wrong").status_code == 401

    locked = token_pair(api, customer.email, "wrong")
    still_locked = token_pair(api, customer.email)  # even with the right password

    for response in (locked, still_locked):
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert int(response["Retry-After"]) > 0
    # The page is locked for the same pair too.
    page = APIClient(REMOTE_ADDR="198.51.100.7").post(
        reverse("account_login"), {"login": customer.email, "password": PASSWORD}
    )
    assert page.status_code == 429


def test_an_unconfirmed_email_gets_no_token_when_the_site_requires_confirmation(api, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    person = UserFactory(verified=False)

    response = token_pair(api, person.email)

    assert response.status_code == 403
    assert response.json()["code"] == "email_unconfirmed"


def test_a_suspended_persons_tokens_stop_working_at_once(api, customer, admin_user):
    signed_in(api, customer)
    refresh = token_pair(APIClient(), customer.email).json()["refresh"]
    assert api.get("/api/users/me/").status_code == 200

    services.user_suspend(user=customer, actor=admin_user, reason="Fake reviews")

    assert api.get("/api/users/me/").status_code == 401
    assert api.get("/api/notifications/").status_code == 401
    again = APIClient().post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert again.status_code == 401


def test_refresh_rotates_and_logout_blacklists(api, customer):
    first = token_pair(api, customer.email).json()["refresh"]

    rotated = api.post("/api/auth/token/refresh/", {"refresh": first}, format="json")
    assert rotated.status_code == 200
    assert AccessToken(rotated.json()["access"])["roles"] == ["customer"]
    second = rotated.json()["refresh"]
    reused = api.post("/api/auth/token/refresh/", {"refresh": first}, format="json")
    assert reused.status_code == 401

    assert api.post("/api/auth/logout/", {"refresh": second}, format="json").status_code == 200
    after = api.post("/api/auth/token/refresh/", {"refresh": second}, format="json")
    assert after.status_code == 401


def test_refreshed_access_tokens_carry_the_roles_of_today(api, customer):
    refresh = token_pair(api, customer.email).json()["refresh"]
    ProviderProfileFactory(user=customer, approved=True)

    rotated = api.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")

    assert AccessToken(rotated.json()["access"])["roles"] == ["provider"]


# --- Passwords ------------------------------------------------------------------------------


def test_change_password_checks_the_current_one(api, customer):
    signed_in(api, customer)
    url = "/api/auth/password/change/"

    wrong = api.post(url, {"old_password": "nope", "new_password": NEW_PASSWORD}, format="json")
    assert wrong.status_code == 400
    assert "old_password" in wrong.json()["fields"]
    weak = api.post(url, {"old_password": PASSWORD, "new_password": "1"}, format="json")
    assert "new_password" in weak.json()["fields"]

    done = api.post(url, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")
    assert done.status_code == 200
    assert token_pair(APIClient(), customer.email, NEW_PASSWORD).status_code == 200


def test_a_new_password_revokes_the_refresh_tokens_the_old_one_got(api, customer):
    old = token_pair(APIClient(), customer.email).json()["refresh"]
    signed_in(api, customer)

    api.post(
        "/api/auth/password/change/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    refreshed = APIClient().post("/api/auth/token/refresh/", {"refresh": old}, format="json")
    assert refreshed.status_code == 401


def test_password_change_needs_a_sign_in(api):
    response = api.post("/api/auth/password/change/", {}, format="json")
    assert response.status_code == 401


def test_password_reset_answers_the_same_and_its_link_sets_a_new_password(api, customer):
    unknown = api.post("/api/auth/password/reset/", {"email": "nobody@example.com"}, format="json")
    known = api.post("/api/auth/password/reset/", {"email": customer.email}, format="json")

    assert unknown.status_code == known.status_code == 200
    reset_mail = [m for m in mail.outbox if customer.email in m.to]
    assert len(reset_mail) == 1
    uid, key = re.search(r"/password/reset/key/([0-9a-z]+)-([^/]+)/", reset_mail[0].body).groups()

    url = "/api/auth/password/reset/confirm/"
    bad = api.post(url, {"uid": uid, "key": "1-nope", "new_password": NEW_PASSWORD}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"

    done = api.post(url, {"uid": uid, "key": key, "new_password": NEW_PASSWORD}, format="json")
    assert done.status_code == 200, done.json()
    assert token_pair(APIClient(), customer.email, NEW_PASSWORD).status_code == 200
    used = api.post(url, {"uid": uid, "key": key, "new_password": PASSWORD}, format="json")
    assert used.status_code == 400


# --- /api/users/me/ -------------------------------------------------------------------------


def test_me_reads_and_changes_name_and_phone_ignoring_read_only_fields(api, customer):
    signed_in(api, customer)

    response = api.patch(
        "/api/users/me/",
        {
            "name": "Casey C.",
            "phone": "+61 2 9876 5432",
            "email": "taken@example.com",
            "roles": ["admin"],
            "wants_to_offer_services": True,
            "is_superuser": True,
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["phone"], body["email"]) == (
        "Casey C.",
        "+61 2 9876 5432",
        customer.email,
    )
    assert body["roles"] == ["customer"]
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("Casey C.", "+61 2 9876 5432")
    assert not (customer.wants_to_offer_services or customer.is_superuser)


def test_me_refuses_a_bad_phone_with_the_account_pages_message(api, client, customer):
    signed_in(api, customer)
    client.force_login(customer)

    response = api.patch("/api/users/me/", {"phone": "call me"}, format="json")
    page = client.post(reverse("account_details"), {"name": "Casey", "phone": "call me"})

    assert response.status_code == 400
    message = response.json()["fields"]["phone"][0]
    assert message.startswith("Enter a phone number")
    assert page.context["form"].errors["phone"] == [message]
    customer.refresh_from_db()
    assert customer.phone == ""


def test_me_needs_a_sign_in(api):
    assert api.get("/api/users/me/").status_code == 401
    assert api.patch("/api/users/me/", {}, format="json").status_code == 401


def test_avatar_upload_through_the_api(api, customer):
    signed_in(api, customer)

    response = api.put("/api/users/me/avatar/", {"avatar": image_upload()}, format="multipart")

    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert customer.avatar.name.endswith(".jpg")
    assert response.json()["avatar_url"].endswith(customer.avatar.url)


def test_a_bad_avatar_is_refused_and_changes_nothing(api, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    signed_in(api, customer)
    missing = api.post("/api/users/me/avatar/", {}, format="multipart")
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    bad = api.post("/api/users/me/avatar/", {"avatar": fake}, format="multipart")
    as_json = api.put("/api/users/me/avatar/", {"avatar": "x"}, format="json")

    for response in (missing, bad, as_json):
        assert response.status_code == 400
        assert "avatar" in response.json()["fields"]
    assert "not an image" in bad.json()["fields"]["avatar"][0]
    customer.refresh_from_db()
    assert not customer.avatar


# --- /api/providers/<slug>/ -----------------------------------------------------------------


def test_an_approved_providers_profile_is_public(api):
    profile = ProviderProfileFactory(approved=True, licence_verified=True)

    response = api.get(f"/api/providers/{profile.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert body["business_name"] == profile.business_name
    assert body["city"]["name"] == profile.base_city.name
    assert body["licence_verified"] is True
    assert body["rating_count"] == 0
    assert body["logo_url"] is None
    assert "licence_number" not in body and "insurance_policy_number" not in body


@pytest.mark.parametrize(
    "status",
    [
        ProviderProfile.Status.PENDING,
        ProviderProfile.Status.REJECTED,
        ProviderProfile.Status.SUSPENDED,
    ],
)
def test_a_provider_not_approved_is_not_found(api, status):
    profile = ProviderProfileFactory(status=status)

    response = api.get(f"/api/providers/{profile.slug}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api.get("/api/providers/no-such-one/").status_code == 404


# --- Throttles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "url", "body"),
    [
        ("sign_up", "/api/auth/signup/", {"email": "x", "password": "x", "name": "x"}),
        ("auth", "/api/auth/token/", {"email": "nobody@example.com", "password": "x"}),
        ("password_reset", "/api/auth/password/reset/", {"email": "nobody@example.com"}),
    ],
)
def test_the_strict_scopes_answer_429_with_retry_after(api, monkeypatch, scope, url, body):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, scope, "2/hour")

    answers = [api.post(url, body, format="json") for _ in range(3)]

    assert [answer.status_code for answer in answers[:2]] != [429, 429]
    assert answers[2].status_code == 429
    assert answers[2].json()["code"] == "throttled"
    assert int(answers[2]["Retry-After"]) > 0


# --- The site's own JavaScript: the session, with CSRF --------------------------------------


def test_the_session_works_too_with_its_csrf_check(customer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)

    assert browser.get("/api/users/me/").json()["email"] == customer.email
    refused = browser.patch("/api/users/me/", {"name": "X"}, content_type="application/json")
    assert refused.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Casey Customer"


def test_a_wrong_content_type_or_a_list_is_a_clear_4xx(api):
    text = api.post("/api/auth/token/", "email=x", content_type="text/plain")
    listed = api.post("/api/auth/signup/", [1, 2], format="json")

    assert text.status_code == 415
    assert text.json()["code"] == "unsupported_media_type"
    assert listed.status_code == 400
    assert listed.json()["code"] == "invalid"


def test_sign_up_where_confirmation_is_optional_still_sends_the_email(api, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"

    response = api.post(
        "/api/auth/signup/",
        {"email": "opt@example.com", "password": PASSWORD, "name": "Opt"},
        format="json",
    )

    assert response.status_code == 201
    assert len(mail.outbox) == 1
    user = User.objects.get(email="opt@example.com")
    assert not user.wants_to_offer_services
    assert token_pair(api, user.email).status_code == 200  # no confirmation needed to sign in


def test_a_deleted_accounts_refresh_token_is_refused_not_a_server_error(api):
    person = UserFactory()
    refresh = token_pair(api, person.email).json()["refresh"]
    person.delete()

    response = api.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")

    assert response.status_code == 401
    bad = api.post("/api/auth/token/refresh/", {"refresh": "x" * 50}, format="json")
    assert bad.status_code == 401
