"""The admin for a moderator (staff in the Moderators group): what the group may do, the bulk
actions on accounts and providers, and what stays out of reach (staff accounts, permissions,
deleting). A staff member outside the group gets 403 everywhere."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import ModerationAction, ProviderProfile, SignInEvent, User
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from accounts.tests.moderators import MODERATORS, moderator_make, plain_staff_make

pytestmark = pytest.mark.django_db
USERS = reverse("admin:accounts_user_changelist")
PROVIDERS = reverse("admin:accounts_providerprofile_changelist")
TRAIL = reverse("admin:accounts_moderationaction_changelist")
SIGN_INS = reverse("admin:accounts_signinevent_changelist")


@pytest.fixture
def moderator(db):
    return moderator_make()


def _act(client, url, action, rows, **extra):
    return client.post(
        url, {"action": action, "_selected_action": [row.pk for row in rows], **extra}, follow=True
    )


def test_the_group_has_no_delete_add_on_people_or_settings_permissions():
    permissions = Group.objects.get(name=MODERATORS).permissions
    codenames = set(permissions.values_list("codename", flat=True))
    apps = set(permissions.values_list("content_type__app_label", flat=True))

    assert {"view_user", "change_user", "change_providerprofile", "view_booking"} <= codenames
    assert {"change_review", "change_fraudsignal", "change_messagereport"} <= codenames
    assert not {code for code in codenames if code.startswith("delete_")}
    assert "add_user" not in codenames and "add_providerprofile" not in codenames
    assert "change_booking" not in codenames
    assert not apps & {"auth", "sites", "axes", "socialaccount", "contenttypes", "sessions"}


def test_a_moderator_suspends_and_reinstates_accounts_with_a_reason(client, moderator):
    people = UserFactory.create_batch(2)
    client.force_login(moderator)

    question = _act(client, USERS, "suspend", people)
    assert question.status_code == 200
    assert people[0].email in question.content.decode()
    assert not User.objects.filter(is_active=False).exists()

    done = _act(client, USERS, "suspend", people, apply="1", reason="Spam accounts")

    assert "2 account(s) suspended" in done.content.decode()
    assert User.objects.filter(pk__in=[p.pk for p in people], is_active=False).count() == 2
    assert ModerationAction.objects.filter(action="suspend", actor=moderator).count() == 2

    _act(client, USERS, "reinstate", people, apply="1", reason="Cleared")
    assert User.objects.filter(pk__in=[p.pk for p in people], is_active=True).count() == 2


def test_an_empty_reason_asks_again_and_changes_nothing(client, moderator, customer):
    client.force_login(moderator)

    response = _act(client, USERS, "suspend", [customer], apply="1", reason="   ")

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    customer.refresh_from_db()
    assert customer.is_active


def test_a_moderator_approves_rejects_and_suspends_providers_in_bulk(client, moderator):
    waiting = ProviderProfileFactory.create_batch(2)
    client.force_login(moderator)

    assert "2 provider(s) now approved" in _act(client, PROVIDERS, "approve", waiting).text
    _act(client, PROVIDERS, "mark_rejected", waiting[:1], apply="1", reason="No licence")
    _act(client, PROVIDERS, "user_suspend", waiting[1:], apply="1", reason="Fake reviews")

    rejected, suspended = (ProviderProfile.objects.get(pk=p.pk) for p in waiting)
    assert (rejected.status, rejected.status_reason) == ("rejected", "No licence")
    assert suspended.status == "suspended" and suspended.user.is_active is False
    assert ModerationAction.objects.filter(action="provider_rejected", provider=rejected).exists()


def test_plain_staff_get_403_on_the_lists_and_the_actions(client, customer):
    client.force_login(plain_staff_make())
    profile = ProviderProfileFactory()

    for url in (USERS, PROVIDERS, TRAIL, reverse("admin:accounts_signinevent_changelist")):
        assert client.get(url).status_code == 403
    assert _act(client, USERS, "suspend", [customer], apply="1", reason="x").status_code == 403
    assert _act(client, PROVIDERS, "approve", [profile]).status_code == 403
    customer.refresh_from_db()
    profile.refresh_from_db()
    assert customer.is_active and profile.status == "pending"


def _change_form(user: User, **overrides) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "is_active": "on",
        **overrides,
    }


def test_a_moderator_cannot_make_anyone_staff_or_superuser(client, moderator, customer):
    client.force_login(moderator)
    url = reverse("admin:accounts_user_change", args=[customer.pk])

    response = client.post(
        url,
        _change_form(customer, name="Renamed", is_staff="on", is_superuser="on", groups=[1]),
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "Renamed"
    assert (customer.is_staff, customer.is_superuser) == (False, False)
    assert not customer.groups.exists()


def test_a_moderator_cannot_make_themself_a_superuser(client, moderator):
    client.force_login(moderator)
    url = reverse("admin:accounts_user_change", args=[moderator.pk])

    client.post(url, _change_form(moderator, is_superuser="on"))

    moderator.refresh_from_db()
    assert moderator.is_superuser is False


def test_staff_accounts_are_hidden_from_moderators(client, moderator, admin_user):
    client.force_login(moderator)

    listed = client.get(USERS).content.decode()

    assert admin_user.email not in listed and moderator.email not in listed
    page = client.get(reverse("admin:accounts_user_change", args=[admin_user.pk]))
    assert page.status_code == 302  # the admin's "does not exist" redirect to its index


def test_a_superuser_still_edits_staff_fields(client, admin_user, customer):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[customer.pk])

    client.post(url, _change_form(customer, is_staff="on"))

    customer.refresh_from_db()
    assert customer.is_staff


def test_the_user_page_links_to_the_trail_fraud_signals_and_sign_ins(client, moderator):
    profile = ProviderProfileFactory(approved=True)
    client.force_login(moderator)

    html = client.get(reverse("admin:accounts_providerprofile_change", args=[profile.pk])).text

    assert f"{TRAIL}?user__id__exact={profile.user_id}" in html
    assert f"?provider__id__exact={profile.pk}" in html
    assert f"{reverse('admin:accounts_signinevent_changelist')}?user__id__exact=" in html


def test_the_trail_lists_per_person_and_is_read_only(
    client, moderator, customer, django_assert_num_queries
):
    other = UserFactory()
    client.force_login(moderator)
    for person in (customer, other):
        _act(client, USERS, "suspend", [person], apply="1", reason=f"Spam by {person.email}")

    # Session, user, two permission reads, the actor filter, two counts, the rows, actions.
    with django_assert_num_queries(9):
        listed = client.get(TRAIL, {"user__id__exact": customer.pk}).content.decode()

    assert f"Spam by {customer.email}" in listed
    assert f"Spam by {other.email}" not in listed
    line = ModerationAction.objects.filter(user=customer).first()
    page = client.get(reverse("admin:accounts_moderationaction_change", args=[line.pk])).text
    assert 'name="_save"' not in page
    assert client.get(reverse("admin:accounts_moderationaction_add")).status_code == 403


def test_the_per_person_links_filter_the_lists(client, moderator):
    profile = ProviderProfileFactory(approved=True)
    other = ProviderProfileFactory(approved=True)
    client.force_login(moderator)
    for each in (profile, other):
        _act(client, PROVIDERS, "mark_suspended", [each], apply="1", reason=f"Why {each.pk}")
    SignInEvent.objects.create(user=profile.user, email=profile.user.email, succeeded=True)
    SignInEvent.objects.create(user=other.user, email=other.user.email, succeeded=True)

    trail = client.get(TRAIL, {"provider__id__exact": profile.pk})
    sign_ins = client.get(SIGN_INS, {"user__id__exact": profile.user_id})

    assert [line.reason for line in trail.context["cl"].result_list] == [f"Why {profile.pk}"]
    assert [event.user for event in sign_ins.context["cl"].result_list] == [profile.user]


def test_markup_and_oversized_reasons_on_the_reason_page(client, moderator):
    profile = ProviderProfileFactory(approved=True, business_name="<b>Bold</b> Plumbing")
    client.force_login(moderator)
    ask = {"action": "mark_suspended", "_selected_action": [profile.pk]}

    question = client.post(PROVIDERS, ask).content.decode()
    too_long = client.post(PROVIDERS, ask | {"apply": "1", "reason": "x" * 100_000})

    assert "&lt;b&gt;Bold&lt;/b&gt; Plumbing" in question and "<b>Bold</b>" not in question
    assert too_long.status_code == 200
    assert "at most 300 characters" in too_long.content.decode()
    profile.refresh_from_db()
    assert profile.status == "approved"
    assert not ModerationAction.objects.exists()


def test_suspending_an_account_twice_says_so_and_records_once(client, moderator, customer):
    client.force_login(moderator)
    for _ in range(2):
        response = _act(client, USERS, "suspend", [customer], apply="1", reason="Spam")

    assert "is suspended already" in response.content.decode()
    assert ModerationAction.objects.filter(action="suspend").count() == 1


def test_only_a_superuser_sets_someones_password(client, moderator, admin_user, customer):
    url = reverse("admin:auth_user_password_change", args=[customer.pk])
    form = {"password1": "a-new-long-password-42", "password2": "a-new-long-password-42"}
    before = User.objects.get(pk=customer.pk).password

    client.force_login(moderator)
    assert client.post(url, form | {"usable_password": "true"}).status_code == 403
    assert User.objects.get(pk=customer.pk).password == before

    client.force_login(admin_user)
    assert client.get(url).status_code == 200
