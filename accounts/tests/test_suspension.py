"""Suspending and reinstating an account (accounts.services.user_suspend / user_reinstate):
no more signing in (allauth's inactive page says why), open sessions end, a provider's profile
follows, the trail records it; refusals change nothing."""

import pytest
from django.urls import reverse

from accounts.models import ModerationAction, ProviderProfile
from accounts.services import provider_set_status, user_reinstate, user_suspend
from accounts.tests.factories import PASSWORD, ProviderProfileFactory, UserFactory
from accounts.tests.moderators import moderator_make
from marketplace.errors import Invalid, NotAllowed, WrongState

pytestmark = pytest.mark.django_db
REASON = "Fake reviews from linked accounts"


@pytest.fixture
def moderator(db):
    return moderator_make()


def test_suspending_deactivates_and_records_why(moderator, customer):
    user_suspend(user=customer, actor=moderator, reason=f"  {REASON}  ")

    customer.refresh_from_db()
    assert customer.is_active is False
    assert customer.suspended_at is not None
    assert customer.suspension_reason == REASON
    line = ModerationAction.objects.get(action="suspend")
    assert (line.actor, line.user, line.reason) == (moderator, customer, REASON)


def test_a_signed_in_session_is_anonymous_at_its_next_request(client, moderator, customer):
    client.force_login(customer)
    assert client.get(reverse("account_email")).status_code == 200

    user_suspend(user=customer, actor=moderator, reason=REASON)

    response = client.get(reverse("account_email"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_session_of_a_deactivated_user_is_refused(client, moderator, customer):
    """However the account was made inactive, the backend refuses it at the next request."""
    client.force_login(customer)
    customer.is_active = False
    customer.save(update_fields=["is_active"])

    response = client.get(reverse("account_email"))

    assert response.status_code == 302


def test_signing_in_is_refused_with_the_reason(client, moderator, customer):
    user_suspend(user=customer, actor=moderator, reason="Abusive <b>messages</b>")

    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("account_inactive")
    html = response.content.decode()
    assert "This account is suspended" in html
    assert "Abusive &lt;b&gt;messages&lt;/b&gt;" in html
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_nothing_about_the_suspension(client, moderator, customer):
    user_suspend(user=customer, actor=moderator, reason=REASON)

    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": "wrong-password-1"}
    )

    assert response.status_code == 200
    assert REASON not in response.content.decode()


def test_a_provider_profile_is_suspended_with_the_account(moderator):
    profile = ProviderProfileFactory(approved=True)

    user_suspend(user=profile.user, actor=moderator, reason=REASON)

    profile.refresh_from_db()
    assert (profile.status, profile.status_reason) == ("suspended", REASON)
    assert ModerationAction.objects.filter(action="provider_suspended", provider=profile).exists()


def test_reinstating_restores_the_account_and_the_approval(client, moderator):
    profile = ProviderProfileFactory(approved=True)
    user_suspend(user=profile.user, actor=moderator, reason=REASON)

    user_reinstate(user=profile.user, actor=moderator, reason="Cleared after a call")

    profile.refresh_from_db()
    profile.user.refresh_from_db()
    assert profile.user.is_active is True
    assert (profile.user.suspended_at, profile.user.suspension_reason) == (None, "")
    assert profile.status == ProviderProfile.Status.APPROVED
    assert ModerationAction.objects.filter(action="reinstate", user=profile.user).exists()
    response = client.post(
        reverse("account_login"), {"login": profile.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(profile.user.pk)


def test_a_profile_suspended_before_the_account_stays_suspended(moderator):
    profile = ProviderProfileFactory(approved=True)
    provider_set_status(
        profile=profile, status=ProviderProfile.Status.SUSPENDED, actor=moderator, reason="Licence"
    )
    user_suspend(user=profile.user, actor=moderator, reason=REASON)

    user_reinstate(user=profile.user, actor=moderator, reason="The account is fine")

    profile.refresh_from_db()
    assert profile.status == ProviderProfile.Status.SUSPENDED


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_reason_is_required(moderator, customer, reason):
    with pytest.raises(Invalid) as refused:
        user_suspend(user=customer, actor=moderator, reason=reason)

    assert "reason" in refused.value.fields
    customer.refresh_from_db()
    assert customer.is_active and customer.suspended_at is None
    assert not ModerationAction.objects.exists()


def test_a_long_reason_is_cut_to_fit(moderator, customer):
    user_suspend(user=customer, actor=moderator, reason="x" * 100_000)

    customer.refresh_from_db()
    assert len(customer.suspension_reason) == 300


def test_moderators_cannot_suspend_staff_or_themselves(moderator):
    staff = UserFactory(is_staff=True)
    for target in (staff, moderator):
        with pytest.raises(NotAllowed):
            user_suspend(user=target, actor=moderator, reason=REASON)
        target.refresh_from_db()
        assert target.is_active


def test_suspending_twice_or_reinstating_the_active_is_refused(moderator, customer):
    with pytest.raises(WrongState):
        user_reinstate(user=customer, actor=moderator, reason="No")
    user_suspend(user=customer, actor=moderator, reason=REASON)
    with pytest.raises(WrongState):
        user_suspend(user=customer, actor=moderator, reason=REASON)
    assert ModerationAction.objects.filter(action="suspend").count() == 1
