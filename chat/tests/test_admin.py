"""Moderation in the admin: reported messages with the conversation around them, escaped,
and the actions on them; conversations read only; nobody but staff gets in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ProviderProfile
from accounts.tests.factories import UserFactory
from chat import services
from chat.models import Block, Message, MessageReport
from marketplace.errors import DomainError

pytestmark = pytest.mark.django_db
REPORTS = reverse("admin:chat_messagereport_changelist")


def _talk(conversation, customer, pro, count: int) -> list[Message]:
    """`count` messages, the customer and the provider taking turns (the customer first)."""
    return [
        services.message_send(
            conversation=conversation,
            sender=customer if number % 2 else pro,
            body=f"Message number {number:02d}",
        )
        for number in range(1, count + 1)
    ]


def _report(message, reporter, reason="Rude and tried to take the deal off the site"):
    return services.message_report(message=message, reporter=reporter, reason=reason)


def test_the_report_list_shows_the_message_and_five_either_side(
    client, admin_user, conversation, customer, pro
):
    messages = _talk(conversation, customer, pro, 13)
    _report(messages[6], pro)  # message 7, the customer's
    client.force_login(admin_user)

    page = client.get(REPORTS).content.decode()

    assert "Rude and tried to take the deal off the site" in page
    assert "<strong>#7 Casey Customer: Message number 07 (reported)</strong>" in page
    for number in range(2, 13):
        assert f"Message number {number:02d}" in page
    assert "Message number 01" not in page and "Message number 13" not in page


def test_markup_in_messages_and_reasons_is_shown_as_text(
    client, admin_user, conversation, customer, pro
):
    message = services.message_send(
        conversation=conversation, sender=customer, body="<script>alert('x')</script>"
    )
    report = _report(message, pro, reason="<img src=x onerror=alert(1)>")
    client.force_login(admin_user)

    for url in (REPORTS, reverse("admin:chat_messagereport_change", args=[report.pk])):
        page = client.get(url).content.decode()
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
        assert "<script>alert" not in page and "<img src=x" not in page


def test_the_list_costs_the_same_queries_for_one_report_or_many(
    client, admin_user, conversation, customer, pro
):
    messages = _talk(conversation, customer, pro, 20)
    _report(messages[2], pro)
    client.force_login(admin_user)
    client.get(REPORTS)  # the session and content types, cached from here on
    with CaptureQueriesContext(connection) as one:
        client.get(REPORTS)

    for message in messages[4::2]:
        _report(message, pro)
    other = services.conversation_open(
        user=UserFactory(), provider=conversation.provider, about=None
    )
    _report(services.message_send(conversation=other, sender=other.customer, body="Hi"), pro)
    with CaptureQueriesContext(connection) as many:
        page = client.get(REPORTS).content.decode()

    assert page.count("(reported)</strong>") == 10
    assert len(many) == len(one)


def _act(client, action, report, **extra):
    return client.post(
        REPORTS, {"action": action, "_selected_action": [report.pk], **extra}, follow=True
    )


def test_dismissing_closes_the_report_and_changes_nothing_else(
    client, admin_user, conversation, customer, pro
):
    report = _report(_talk(conversation, customer, pro, 1)[0], pro)
    client.force_login(admin_user)

    response = _act(client, "dismiss", report)

    assert "1 report(s) dismissed." in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.handled_by) == ("dismissed", admin_user)
    assert report.handled_at is not None
    assert not Block.objects.exists()
    # Handled once: a second action on it is refused with a message, the report unchanged.
    again = _act(client, "block_sender", report).content.decode()
    assert "was handled already" in again and "0 report(s)" in again
    report.refresh_from_db()
    assert report.status == "dismissed" and not Block.objects.exists()


def test_blocking_the_sender_stops_messages_both_ways(
    client, admin_user, conversation, customer, pro
):
    report = _report(_talk(conversation, customer, pro, 1)[0], pro)
    client.force_login(admin_user)

    _act(client, "block_sender", report)

    report.refresh_from_db()
    assert report.status == "actioned"
    assert Block.objects.filter(blocker=pro, blocked=customer).exists()
    for sender in (customer, pro):
        with pytest.raises(DomainError):
            services.message_send(conversation=conversation, sender=sender, body="Still there?")
    assert conversation.messages.count() == 1


def test_suspending_a_provider_asks_for_a_reason_and_suspends_the_profile(
    client, admin_user, conversation, customer, pro
):
    report = _report(_talk(conversation, customer, pro, 2)[1], customer)  # the provider's
    client.force_login(admin_user)

    question = _act(client, "suspend_sender", report)
    assert "Reason" in question.content.decode()
    report.refresh_from_db()
    assert report.status == "open"

    _act(client, "suspend_sender", report, apply="1", reason="Abusive messages")

    report.refresh_from_db()
    profile = ProviderProfile.objects.get(user=pro)
    assert report.status == "actioned"
    assert (profile.status, profile.status_reason) == ("suspended", "Abusive messages")
    assert profile.events.filter(to_status="suspended", actor=admin_user).exists()


def test_suspending_a_customer_deactivates_the_account(
    client, admin_user, conversation, customer, pro
):
    report = _report(_talk(conversation, customer, pro, 1)[0], pro)
    client.force_login(admin_user)

    _act(client, "suspend_sender", report, apply="1", reason="Spam")

    customer.refresh_from_db()
    assert customer.is_active is False
    assert MessageReport.objects.get().status == "actioned"


def test_conversations_show_their_messages_read_only(
    client, admin_user, conversation, customer, pro
):
    _talk(conversation, customer, pro, 3)
    client.force_login(admin_user)

    page = client.get(reverse("admin:chat_conversation_change", args=[conversation.pk]))

    text = page.content.decode()
    assert "Message number 01" in text and "Message number 03" in text
    assert 'name="_save"' not in text and "/delete/" not in text
    listing = client.get(reverse("admin:chat_conversation_changelist")).content.decode()
    assert conversation.provider.business_name in listing


def test_only_staff_with_permission_reach_moderation(client, conversation, customer, pro):
    report = _report(_talk(conversation, customer, pro, 1)[0], pro)
    urls = [
        REPORTS,
        reverse("admin:chat_messagereport_change", args=[report.pk]),
        reverse("admin:chat_conversation_changelist"),
        reverse("admin:chat_conversation_change", args=[conversation.pk]),
    ]
    for user in (customer, pro):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))
        response = client.post(REPORTS, {"action": "dismiss", "_selected_action": [report.pk]})
        assert response.status_code == 302
    client.force_login(UserFactory(is_staff=True))  # staff, but no chat permissions
    for url in urls:
        assert client.get(url).status_code == 403
    report.refresh_from_db()
    assert report.status == "open"
