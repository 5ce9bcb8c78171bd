import pytest
from django.urls import reverse

from accounts.tests.factories import ProviderProfileFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:accounts_providerprofile_changelist")


def test_an_admin_approves_providers_from_the_list(client, admin_user):
    pending = ProviderProfileFactory()
    client.force_login(admin_user)

    response = client.post(
        CHANGELIST, {"action": "approve", "_selected_action": [pending.pk]}, follow=True
    )

    assert "1 provider(s) now approved" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert pending.events.get().actor == admin_user


def test_suspending_asks_for_a_reason_first(client, admin_user):
    profile = ProviderProfileFactory(approved=True)
    client.force_login(admin_user)
    ask = {"action": "mark_suspended", "_selected_action": [profile.pk]}

    question = client.post(CHANGELIST, ask)
    assert question.status_code == 200
    assert "Reason" in question.content.decode()
    profile.refresh_from_db()
    assert profile.status == "approved"

    client.post(CHANGELIST, ask | {"apply": "1", "reason": "Fake reviews"})
    profile.refresh_from_db()
    assert (profile.status, profile.status_reason) == ("suspended", "Fake reviews")


def test_customers_and_providers_cannot_reach_the_admin(client, customer, provider):
    for user in (customer, provider):
        client.force_login(user)
        response = client.get(CHANGELIST)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
