"""A provider hears 30 and 7 days before their insurance expires: in-app and by email, once each."""

from datetime import timedelta

import pytest

from accounts.models import ProviderInsuranceNotice, insurance_badge_today
from accounts.services import insurance_notices_send
from accounts.tasks import expire_insurance_and_send_notices
from accounts.tests.factories import ProviderProfileFactory
from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db

POLICY = {"insurance_provider": "QBE", "insurance_policy_number": "PL-1234567"}


def test_30_and_7_days_before_expiry_each_notice_goes_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    today = insurance_badge_today()
    expires_on = today + timedelta(days=30)
    profile = ProviderProfileFactory(**POLICY, insurance_expires_on=expires_on)

    assert insurance_notices_send(today=today - timedelta(days=1)) == 0  # 31 days: too early
    with django_capture_on_commit_callbacks(execute=True):
        assert insurance_notices_send(today=today) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert insurance_notices_send(today=today) == 0  # again the same day: nothing
        assert insurance_notices_send(today=today + timedelta(days=10)) == 0  # 20 days left
    first = Notification.objects.get(recipient=profile.user)
    assert first.title == "Your public liability insurance expires in 30 days"
    assert "PL-1234567" in first.body and first.url == "/portal/profile/"
    assert [m.to for m in mailoutbox] == [[profile.user.email]]

    with django_capture_on_commit_callbacks(execute=True):
        assert insurance_notices_send(today=expires_on - timedelta(days=7)) == 1
        assert insurance_notices_send(today=expires_on - timedelta(days=3)) == 0
    titles = list(
        Notification.objects.filter(recipient=profile.user).values_list("title", flat=True)
    )
    assert titles[0] == "Your public liability insurance expires in 7 days"
    assert len(titles) == 2 and len(mailoutbox) == 2
    assert set(ProviderInsuranceNotice.objects.values_list("expires_on", "days_before")) == {
        (expires_on, 30),
        (expires_on, 7),
    }


def test_a_renewed_policy_is_warned_about_again(django_capture_on_commit_callbacks):
    today = insurance_badge_today()
    profile = ProviderProfileFactory(**POLICY, insurance_expires_on=today + timedelta(days=5))
    assert insurance_notices_send(today=today) == 1  # only the 7-day notice: 30 is long past
    profile.insurance_expires_on = today + timedelta(days=365)
    profile.save()
    assert insurance_notices_send(today=today + timedelta(days=335)) == 1
    assert ProviderInsuranceNotice.objects.filter(profile=profile).count() == 2


def test_no_notice_without_a_policy_or_after_expiry():
    today = insurance_badge_today()
    ProviderProfileFactory(insurance_expires_on=today + timedelta(days=7))  # no policy number
    ProviderProfileFactory(**POLICY, insurance_expires_on=today)  # expires today: too late
    ProviderProfileFactory(**POLICY, insurance_expires_on=None)
    expire_insurance_and_send_notices()
    assert not Notification.objects.exists()


def test_a_notice_whose_notification_fails_is_not_recorded(monkeypatch, caplog):
    today = insurance_badge_today()
    failing = ProviderProfileFactory(**POLICY, insurance_expires_on=today + timedelta(days=7))
    other = ProviderProfileFactory(**POLICY, insurance_expires_on=today + timedelta(days=6))
    real_notify = notify

    def notify_failing_for_one(**message):
        if message["recipient"] == failing.user:
            raise RuntimeError("database hiccup")
        return real_notify(**message)

    monkeypatch.setattr("notifications.receivers.notify", notify_failing_for_one)
    assert insurance_notices_send(today=today) == 1  # the other provider is still told
    assert list(ProviderInsuranceNotice.objects.values_list("profile", flat=True)) == [other.pk]
    assert f"Insurance notice for provider {failing.pk} failed" in caplog.text
    monkeypatch.setattr("notifications.receivers.notify", real_notify)
    assert insurance_notices_send(today=today) == 1  # the next run tries again
