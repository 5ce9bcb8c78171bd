"""Failed sign-ins are throttled per (account, address) pair and per address, never per account
alone: nobody elsewhere can lock a person out of their own account."""

import pytest
from django.conf import settings as configured
from django.db.models import F
from django.test import Client
from django.urls import reverse

from accounts.models import SignInEvent
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.20"
OFFICE = "192.0.2.10"
PROXY = "10.0.0.2"


def sign_in(email: str, password: str, address: str, **headers: str):
    """One attempt from a fresh browser at `address`; returns (response, signed-in user id)."""
    browser = Client()
    response = browser.post(
        LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address, **headers
    )
    return response, browser.session.get("_auth_user_id")


def fail(email: str, address: str, times: int, **headers: str) -> list:
    return [sign_in(email, "not-the-password", address, **headers)[0] for _ in range(times)]


def locked(response) -> bool:
    return response.status_code == 429 and "Too many failed sign-ins" in response.content.decode()


def test_an_attackers_failures_elsewhere_leave_the_victim_able_to_sign_in(customer):
    answers = fail(customer.email, ATTACKER, times=8)
    assert all(answer.status_code in (200, 429) for answer in answers)

    response, user_id = sign_in(customer.email, PASSWORD, VICTIM)

    assert response.status_code == 302
    assert user_id == str(customer.pk)


def test_a_pair_is_locked_after_its_failures_and_unlocked_after_the_cool_off(customer):
    from axes.models import AccessAttempt  # django-axes' record of failures (its database handler)

    limit = configured.AXES_FAILURE_LIMIT
    cool_off = configured.AXES_COOLOFF_TIME
    first = fail(customer.email, ATTACKER, times=limit - 1)
    assert [answer.status_code for answer in first] == [200] * (limit - 1)

    # The last failure the limit allows locks the pair, and says how long to wait.
    last = fail(customer.email.upper(), ATTACKER, times=1)[0]  # the email's case does not matter
    assert locked(last)
    minutes = int(cool_off.total_seconds() // 60)
    page = last.content.decode()
    assert f"{minutes} minutes" in page
    assert 'class="site-header' in page  # in the site's look
    assert cool_off.total_seconds() - 30 < int(last["Retry-After"]) <= cool_off.total_seconds()

    # Locked means locked: the right password from that address is refused too, and nothing
    # signs in; the same address may still sign in to another account.
    response, user_id = sign_in(customer.email, PASSWORD, ATTACKER)
    assert locked(response) and user_id is None
    colleague = UserFactory()
    assert sign_in(colleague.email, PASSWORD, ATTACKER)[1] == str(colleague.pk)

    # Part of the cool-off later, the page says how much is left.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off / 3)
    response, user_id = sign_in(customer.email, PASSWORD, ATTACKER)
    assert locked(response) and user_id is None
    assert f"{minutes - minutes // 3} minutes" in response.content.decode()

    # After the cool-off the pair may sign in again.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off)
    response, user_id = sign_in(customer.email, PASSWORD, ATTACKER)
    assert response.status_code == 302 and user_id == str(customer.pk)


def test_a_success_clears_the_pairs_failures(customer):
    fail(customer.email, VICTIM, times=configured.AXES_FAILURE_LIMIT - 1)
    assert sign_in(customer.email, PASSWORD, VICTIM)[1] == str(customer.pk)
    answers = fail(customer.email, VICTIM, times=configured.AXES_FAILURE_LIMIT - 1)
    assert not any(locked(answer) for answer in answers)


def test_an_office_sharing_one_address_is_throttled_only_past_a_generous_limit(db):
    """Many people mistyping behind one address do not lock a colleague out; a flood of
    failures from one address (guessing many accounts) is stopped, for that address only."""
    colleague = UserFactory()
    for n in range(20):
        fail(f"typo{n}@example.com", OFFICE, times=1)
    response, user_id = sign_in(colleague.email, PASSWORD, OFFICE)
    assert response.status_code == 302 and user_id == str(colleague.pk)

    for n in range(20, 40):
        fail(f"guess{n}@example.com", OFFICE, times=1)
    response, user_id = sign_in(colleague.email, PASSWORD, OFFICE)
    assert user_id is None
    assert "Too many failed login attempts" in response.content.decode()
    assert sign_in(colleague.email, PASSWORD, VICTIM)[1] == str(colleague.pk)


def test_behind_the_proxy_the_clients_own_address_is_used(customer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Whatever the client puts in front, the address our proxy appended is the one that counts.
    for spoofed in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        forwarded = f"{spoofed}, {ATTACKER}"
        (last,) = fail(customer.email, PROXY, times=1, HTTP_X_FORWARDED_FOR=forwarded)
    assert locked(last)

    # Another client through the same proxy is not that pair.
    response, user_id = sign_in(customer.email, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=VICTIM)
    assert response.status_code == 302 and user_id == str(customer.pk)
    addresses = set(SignInEvent.objects.values_list("ip_address", flat=True))
    assert addresses == {ATTACKER, VICTIM}


def test_without_the_proxy_setting_forwarded_addresses_are_ignored(customer, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(configured.AXES_FAILURE_LIMIT):
        last = fail(customer.email, ATTACKER, times=1, HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}")[0]
    assert locked(last)
    assert set(SignInEvent.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_the_admin_signs_in_through_the_same_throttled_page(client, admin_user):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)

    # Its own form no longer checks passwords, so it cannot be used to guess them unthrottled.
    response = client.post(
        reverse("admin:login"), {"username": admin_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not client.session.get("_auth_user_id")

    response = client.post(
        f"{LOGIN}?next=/admin/", {"login": admin_user.email, "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_address_sending_too_many_sign_ins_gets_the_sites_429_page(customer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        assert sign_in(customer.email, "not-the-password", OFFICE)[0].status_code == 200
    response, user_id = sign_in(customer.email, PASSWORD, OFFICE)
    assert response.status_code == 429 and user_id is None
    page = response.content.decode()
    assert "Too many requests" in page and 'class="site-header' in page
    assert sign_in(customer.email, PASSWORD, VICTIM)[1] == str(customer.pk)


def test_an_ipv6_client_counts_as_its_network(customer):
    for n in range(configured.AXES_FAILURE_LIMIT):
        (last,) = fail(customer.email, f"2001:db8:1:2::{n + 1:x}", times=1)
    assert locked(last)
    assert sign_in(customer.email, PASSWORD, "2001:db8:1:3::1")[1] == str(customer.pk)


def test_a_locked_pair_is_refused_by_authenticate_itself_and_a_call_without_a_request_is_not(
    customer, rf
):
    from django.contrib.auth import authenticate

    fail(customer.email, ATTACKER, times=configured.AXES_FAILURE_LIMIT)
    request = rf.post(LOGIN, REMOTE_ADDR=ATTACKER)
    assert authenticate(request, email=customer.email, password=PASSWORD) is None
    elsewhere = rf.post(LOGIN, REMOTE_ADDR=VICTIM)
    assert authenticate(elsewhere, email=customer.email, password=PASSWORD) == customer
    # No request, no address to count (a management command, the test client's login()).
    assert authenticate(email=customer.email, password=PASSWORD) == customer


def test_resetting_ones_own_password_does_not_reset_the_addresss_failures(customer):
    """allauth clears the sign-in failures counted for the email of a completed password reset;
    with only per-address counts that would clear the address's, a way to more guesses."""
    import re

    from django.core import mail

    for n in range(configured.SIGN_IN_ADDRESS_FAILURES_PER_MINUTE):
        fail(f"guess{n}@example.com", OFFICE, times=1)
    attacker = UserFactory(email="attacker@example.com")
    browser = Client(REMOTE_ADDR=OFFICE)
    browser.post(reverse("account_reset_password"), {"email": attacker.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form = browser.get(link[1], follow=True)
    done = browser.post(
        form.redirect_chain[-1][0],
        {"password1": "brand-new-passphrase-42", "password2": "brand-new-passphrase-42"},
    )
    assert done.status_code == 302
    attacker.refresh_from_db()
    assert attacker.check_password("brand-new-passphrase-42")

    response, user_id = sign_in(customer.email, PASSWORD, OFFICE)
    assert user_id is None
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.parametrize("login", ["a" * 300 + "@example.com", "x" * 2000, " ", "\u00e9" * 300])
def test_an_overlong_or_odd_login_is_a_form_error_not_a_server_error(login):
    response, user_id = sign_in(login, "p" * 5000, OFFICE)
    assert response.status_code == 200 and user_id is None
    page = response.content.decode()
    assert "not correct" in page or "valid email address" in page or "required" in page
