"""The sign-in log records every sign-in (successful or not) and every sign-up with the
client's address, user agent and device cookie."""

import pytest
from django.urls import reverse

from accounts.models import SignInEvent
from accounts.tests.factories import PASSWORD
from accounts.tests.test_views import SIGNUP
from marketplace.client_address import DEVICE_COOKIE

pytestmark = pytest.mark.django_db

BROWSER = {"REMOTE_ADDR": "203.0.113.20", "HTTP_USER_AGENT": "Mozilla/5.0 (Test) Firefox/140"}


def _device(client) -> str:
    client.get(reverse("account_login"), **BROWSER)
    return client.cookies[DEVICE_COOKIE].value


def test_sign_ins_record_address_user_agent_and_device(client, customer):
    device = _device(client)
    client.post(reverse("account_login"), {"login": customer.email, "password": "x"}, **BROWSER)
    client.post(
        reverse("account_login"), {"login": customer.email, "password": PASSWORD}, **BROWSER
    )

    failed, succeeded = SignInEvent.objects.order_by("at", "pk")
    for event in (failed, succeeded):
        assert event.kind == SignInEvent.Kind.SIGN_IN
        assert (event.ip_address, event.device_id) == ("203.0.113.20", device)
        assert event.user_agent == BROWSER["HTTP_USER_AGENT"]
    assert (failed.succeeded, failed.user, failed.email) == (False, None, customer.email)
    assert (succeeded.succeeded, succeeded.user) == (True, customer)


def test_a_sign_up_is_recorded_as_one(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    device = _device(client)

    response = client.post(reverse("account_signup"), SIGNUP, **BROWSER)

    assert response.status_code == 302
    sign_up = SignInEvent.objects.get(kind=SignInEvent.Kind.SIGN_UP)
    assert (sign_up.email, sign_up.succeeded, sign_up.user.email) == (
        SIGNUP["email"],
        True,
        SIGNUP["email"],
    )
    assert (sign_up.ip_address, sign_up.device_id) == ("203.0.113.20", device)
    assert sign_up.user_agent == BROWSER["HTTP_USER_AGENT"]
    # allauth signs the new account in: that is a sign-in of its own.
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGN_IN, user=sign_up.user).exists()


def test_a_first_visit_signing_up_records_the_device_it_is_given(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    client.post(reverse("account_signup"), SIGNUP, **BROWSER)

    sign_up = SignInEvent.objects.get(kind=SignInEvent.Kind.SIGN_UP)
    assert sign_up.device_id == client.cookies[DEVICE_COOKIE].value


def test_a_failed_sign_up_records_nothing(client):
    client.post(reverse("account_signup"), SIGNUP | {"password2": "something else entirely"})
    assert not SignInEvent.objects.exists()
