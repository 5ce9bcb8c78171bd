"""Rule 6 through real sign-ups (allauth's sign-up form): several accounts from one device or
address within a day, and disposable email domains; a failing rule never breaks a sign-up."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from reviews import fraud_receivers
from reviews.models import FraudSignal

pytestmark = pytest.mark.django_db

Rule = FraudSignal.Rule


@pytest.fixture(autouse=True)
def _optional_verification(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"


def sign_up(client, email: str, *, ip: str = "203.0.113.30", capture) -> User:
    with capture(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "name": "Sam Hirer",
                "email": email,
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
                "role": "customer",
            },
            REMOTE_ADDR=ip,
        )
    assert response.status_code == 302
    client.post(reverse("account_logout"))
    return User.objects.get(email=email)


def test_three_accounts_from_one_browser_are_each_flagged(django_capture_on_commit_callbacks):
    browser = Client()
    first = sign_up(
        browser, "one@example.com", ip="203.0.113.1", capture=django_capture_on_commit_callbacks
    )
    second = sign_up(
        browser, "two@example.com", ip="203.0.113.2", capture=django_capture_on_commit_callbacks
    )
    assert not FraudSignal.objects.exists()  # two are a household, not a cluster

    third = sign_up(
        browser, "three@example.com", ip="203.0.113.3", capture=django_capture_on_commit_callbacks
    )

    signals = FraudSignal.objects.filter(rule=Rule.SIGNUP_CLUSTER)
    assert {signal.user for signal in signals} == {first, second, third}
    evidence = signals.get(user=third).evidence
    assert evidence["user_ids"] == [first.pk, second.pk]
    assert evidence["device_id"] == browser.cookies["nh_device"].value


def test_three_accounts_from_one_address_are_flagged_but_other_addresses_are_not(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        sign_up(Client(), email, ip="198.51.100.8", capture=capture)
    elsewhere = sign_up(Client(), "d@example.com", ip="198.51.100.9", capture=capture)

    flagged = set(FraudSignal.objects.values_list("user__email", flat=True))
    assert flagged == {"a@example.com", "b@example.com", "c@example.com"}
    assert not elsewhere.fraud_signals.exists()


def test_a_disposable_email_domain_is_flagged_and_an_ordinary_one_is_not(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    burner = sign_up(Client(), "someone@mailinator.com", ip="192.0.2.1", capture=capture)
    regular = sign_up(Client(), "someone@gmail.com", ip="192.0.2.2", capture=capture)

    signal = burner.fraud_signals.get()
    assert (signal.rule, signal.evidence) == (
        Rule.DISPOSABLE_EMAIL,
        {"email_domain": "mailinator.com"},
    )
    assert signal.key == f"disposable_email:user:{burner.pk}"
    assert not regular.fraud_signals.exists()


def test_a_failing_rule_never_breaks_a_sign_up(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("rules down")

    monkeypatch.setattr(fraud_receivers, "sign_up_assess", broken)
    with caplog.at_level(logging.ERROR, logger="reviews.fraud_receivers"):
        user = sign_up(
            Client(), "someone@mailinator.com", capture=django_capture_on_commit_callbacks
        )

    assert user.is_active
    assert "sign-up fraud rules failed" in caplog.text
    assert not FraudSignal.objects.exists()
