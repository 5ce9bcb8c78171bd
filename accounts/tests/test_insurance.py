"""Insurance policies: an expired one is refused at entry, and the badge goes on its expiry day."""

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.sites import AdminSite
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.admin import ProviderProfileAdmin
from accounts.models import ProviderProfile, insurance_badge_today
from accounts.tasks import expire_insurance_and_send_notices
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from accounts.tests.test_services import onboard
from accounts.tests.test_views import onboarding_data
from marketplace.errors import Invalid
from places.tests.factories import CityFactory

pytestmark = pytest.mark.django_db

POLICY = {"insurance_provider": "QBE", "insurance_policy_number": "PL-1234567"}


@pytest.fixture
def perth(db):
    return CityFactory(name="Perth", slug="perth", state="WA", timezone="Australia/Perth")


def at(moment: str, zone: str = "Australia/Sydney"):
    """Pretend the clock reads `moment` (ISO, local to `zone`)."""
    aware = datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(zone))
    return mock.patch("django.utils.timezone.now", return_value=aware)


def test_an_expired_policy_is_refused_at_onboarding_and_nothing_is_written(perth):
    user = UserFactory()
    with pytest.raises(Invalid) as refused:
        onboard(user, perth, **POLICY, insurance_expires_on=date(1999, 1, 1))
    assert "expired on 1 Jan 1999" in refused.value.fields["insurance_expires_on"][0]
    assert not ProviderProfile.objects.filter(user=user).exists()


def test_expiry_is_judged_in_the_providers_own_zone(perth):
    # 1 am on 2 March in Sydney is still 10 pm on 1 March in Perth: a Perth policy that
    # expires on 1 March is current for the rest of that day; one from 28 February is not.
    with at("2026-03-02T01:00"):
        profile = onboard(UserFactory(), perth, **POLICY, insurance_expires_on=date(2026, 3, 1))
        with pytest.raises(Invalid):
            onboard(UserFactory(), perth, **POLICY, insurance_expires_on=date(2026, 2, 28))
    assert profile.insurance_expires_on == date(2026, 3, 1)


def test_an_expired_policy_is_refused_when_editing_the_profile(perth):
    profile = ProviderProfileFactory(base_city=perth, **POLICY)
    # At 1 am in Sydney, Sydney's yesterday is still today in Perth: "expired" is
    # yesterday in the provider's own zone, whatever the hour the suite runs at.
    with at("2026-03-02T01:00"), pytest.raises(Invalid):
        services.provider_profile_update(
            profile=profile,
            business_name=profile.business_name,
            bio=profile.bio,
            base_city=perth,
            base_point=perth.point,
            service_radius_km=30,
            phone="0412 345 678",
            **POLICY,
            insurance_expires_on=services.provider_local_today(city=perth) - timedelta(days=1),
        )
    profile.refresh_from_db()
    assert profile.insurance_expires_on is None


def test_the_onboarding_form_says_the_policy_has_expired(client, perth):
    user = UserFactory()
    client.force_login(user)
    data = onboarding_data(perth, **POLICY, insurance_expires_on="2024-01-01")
    response = client.post(reverse("portal_onboarding"), data)
    assert response.status_code == 200
    assert "This policy expired on 1 Jan 2024" in response.text
    assert not ProviderProfile.objects.filter(user=user).exists()


def test_the_profile_edit_form_refuses_an_expired_policy(client, perth):
    profile = ProviderProfileFactory(base_city=perth, **POLICY)
    client.force_login(profile.user)
    data = onboarding_data(perth, **POLICY, insurance_expires_on="2020-06-30")
    response = client.post(reverse("portal_profile_edit"), data)
    assert "This policy expired on 30 Jun 2020" in response.text
    profile.refresh_from_db()
    assert profile.insurance_expires_on is None


def test_the_admin_refuses_a_new_expired_date(rf, admin_user, perth):
    profile = ProviderProfileFactory(base_city=perth, **POLICY)
    admin = ProviderProfileAdmin(ProviderProfile, AdminSite())
    request = rf.get("/")
    request.user = admin_user
    form_class = admin.get_form(request, profile, change=True)
    fields = form_class(instance=profile).initial | {"insurance_expires_on": "2024-01-01"}
    fields["base_point"] = profile.base_point.wkt
    form = form_class(fields, instance=profile)
    assert not form.is_valid()
    assert "expired on 1 Jan 2024" in form.errors["insurance_expires_on"][0]


def test_the_badge_goes_on_the_expiry_day_before_any_task_runs():
    today = insurance_badge_today()
    profile = ProviderProfileFactory(
        licence_verified=True, insurance_verified=True, insurance_expires_on=today + timedelta(1)
    )
    assert profile.insurance_is_current and profile.is_verified
    profile.insurance_expires_on = today
    assert not profile.insurance_is_current and not profile.is_verified
    profile.insurance_expires_on = today - timedelta(days=30)
    assert not profile.insurance_is_current


def test_the_nightly_task_unverifies_expired_policies_only():
    today = insurance_badge_today()
    expired = ProviderProfileFactory(insurance_verified=True, insurance_expires_on=today)
    current = ProviderProfileFactory(
        insurance_verified=True, insurance_expires_on=today + timedelta(1)
    )
    expire_insurance_and_send_notices()
    expired.refresh_from_db()
    current.refresh_from_db()
    assert not expired.insurance_verified
    assert current.insurance_verified
    assert services.insurance_expired_sweep() == 0  # safe to run twice


def test_an_unchanged_expired_date_does_not_block_other_edits(perth):
    expired_on = timezone.localdate() - timedelta(days=3)
    profile = ProviderProfileFactory(base_city=perth, **POLICY, insurance_expires_on=expired_on)
    services.provider_profile_update(
        profile=profile,
        business_name="A New Name",
        bio=profile.bio,
        base_city=perth,
        base_point=perth.point,
        service_radius_km=30,
        phone="0412 345 678",
        **POLICY,
        insurance_expires_on=expired_on,
    )
    profile.refresh_from_db()
    assert profile.business_name == "A New Name"


def test_beat_runs_the_insurance_task_every_hour(settings):
    from celery import current_app

    entry = settings.CELERY_BEAT_SCHEDULE["expire-insurance-and-send-notices"]
    assert entry["task"] == "accounts.tasks.expire_insurance_and_send_notices"
    assert entry["task"] in current_app.tasks
    assert entry["schedule"].minute == {7} and len(entry["schedule"].hour) == 24
