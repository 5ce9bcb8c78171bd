"""The header's Messages link: the unread total for signed-in people, asked only when shown."""

from django.db import connection
from django.template import engines
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chat import services
from chat.context_processors import UnreadMessages


def test_header_shows_the_unread_total(client, conversation, customer, pro):
    services.message_send(conversation=conversation, sender=pro, body="one")
    services.message_send(conversation=conversation, sender=pro, body="two")
    client.force_login(customer)
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="Messages, 2 unread"' in html
    assert 'data-messages-unread aria-hidden="true">2</span>' in html
    client.get(conversation.get_absolute_url())  # reads them
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="Messages"' in html
    assert 'data-messages-unread aria-hidden="true" hidden>0</span>' in html


def test_anonymous_people_get_no_messages_link(client, db):
    html = client.get(reverse("home")).content.decode()
    assert "data-messages-unread" not in html


def test_a_page_that_does_not_show_it_asks_nothing(customer):
    request = RequestFactory().get("/")
    request.user = customer
    template = engines["django"].from_string("no header here")
    with CaptureQueriesContext(connection) as queries:
        template.render({}, request)
    assert not any("chat_conversation" in query["sql"] for query in queries.captured_queries)


def test_the_label_is_capped(customer, monkeypatch):
    badge = UnreadMessages(customer)
    monkeypatch.setattr("chat.context_processors.unread_total", lambda user: 150)
    assert badge.label == "9+"
