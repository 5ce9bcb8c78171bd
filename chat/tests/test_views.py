"""The chat pages over HTTP: inbox, conversation, sending with the plain form, photos,
opening from a button, blocking and reporting; every URL refuses anyone else with a 404."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import ProviderProfileFactory
from bookings.models import Booking
from bookings.tests.factories import BookingFactory
from chat import services
from chat.masking import HIDDEN, NOTE
from chat.models import Block, Conversation, Message, MessageReport
from chat.tests.factories import png
from listings.tests.factories import ServiceFactory


def send(conversation, sender, body="Hello", **kwargs):
    return services.message_send(conversation=conversation, sender=sender, body=body, **kwargs)


def page(client, conversation, **params):
    return client.get(reverse("chat_conversation", args=[conversation.pk]), params)


# --- the inbox -----------------------------------------------------------------------------


def _conversations(customer, count):
    made = []
    for n in range(count):
        provider = ProviderProfileFactory(approved=True, business_name=f"Pro {n}")
        conversation = services.conversation_open(user=customer, provider=provider)
        if n % 2:
            send(conversation, provider.user, "", photos=[png()])
        else:
            send(conversation, provider.user, f"Message {n}")
        made.append(conversation)
    return made


@pytest.mark.parametrize("count", [1, 6])
def test_inbox_query_count_does_not_grow(client, customer, count, django_assert_num_queries):
    _conversations(customer, count)
    client.force_login(customer)
    # session, user, the rows (one query with last message, photo and booking checks), and
    # the header's: the bell's count, the Messages count, the provider profile
    with django_assert_num_queries(6):
        response = client.get(reverse("chat_inbox"))
    assert response.status_code == 200
    assert response.content.decode().count('class="inbox__row') == count


def test_inbox_shows_newest_first_with_unread_and_escaped_masked_previews(client, customer):
    first, _second = _conversations(customer, 2)
    send(first, first.provider.user, "<script>alert(1)</script> call 0412 345 678")
    client.force_login(customer)
    html = client.get(reverse("chat_inbox")).content.decode()
    assert html.index("Pro 0") < html.index("Pro 1")  # first has the newest message
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HIDDEN in html and "0412" not in html and NOTE in html
    assert "Sent a photo" in html  # Pro 1's last message is a photo alone
    assert 'class="inbox__unread"><span class="visually-hidden">Unread: </span>2<' in html


def test_inbox_search_by_the_other_name_and_provider_side(client, customer, conversation, pro):
    send(conversation, customer, "Hi")
    client.force_login(pro)
    html = client.get(reverse("chat_inbox"), {"q": "casey"}).content.decode()
    assert "Casey Customer" in html
    html = client.get(reverse("chat_inbox"), {"q": "nobody"}).content.decode()
    assert "No conversation with" in html


def test_inbox_pages(client, customer, settings):
    from chat import views

    _conversations(customer, views.INBOX_PER_PAGE + 1)
    client.force_login(customer)
    html = client.get(reverse("chat_inbox")).content.decode()
    assert 'rel="next"' in html
    html = client.get(reverse("chat_inbox"), {"page": "2"}).content.decode()
    assert html.count('class="inbox__row') == 1


@pytest.mark.parametrize("page_number", ["0", "-1", "x", "9" * 30, "²", "٣"])
def test_inbox_odd_page_numbers_are_the_first_page(client, customer, page_number):
    client.force_login(customer)
    assert client.get(reverse("chat_inbox"), {"page": page_number}).status_code == 200


def test_inbox_needs_sign_in(client):
    response = client.get(reverse("chat_inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- the conversation page -----------------------------------------------------------------


def test_conversation_page_shows_messages_in_order_and_marks_them_read(
    client, conversation, customer, pro
):
    for body in ("one", "two", "three"):
        send(conversation, pro, body)
    client.force_login(customer)
    response = page(client, conversation)
    html = response.content.decode()
    assert html.index(">one<") < html.index(">two<") < html.index(">three<")
    assert f'data-conversation-id="{conversation.pk}"' in html
    assert 'data-last-seq="3"' in html
    assert f'data-socket-path="/ws/chat/{conversation.pk}/"' in html
    assert 'id="chat-payloads"' in html
    conversation.refresh_from_db()
    assert conversation.customer_read_seq == 3


def test_conversation_page_query_count_is_constant(
    client, conversation, customer, pro, service, django_assert_num_queries
):
    for _ in range(4):
        send(conversation, pro, "x", photos=[png()], about=service)
    client.force_login(customer)
    page(client, conversation)  # reads everything once
    # session, user, conversation, messages, photos, confirmed booking, blocks (all read
    # already: nothing to mark); the header's bell, Messages count and provider profile
    with django_assert_num_queries(10):
        page(client, conversation)


def test_seen_appears_under_my_last_message_when_read(client, conversation, customer, pro):
    send(conversation, customer, "Are you free?")
    client.force_login(customer)
    assert "data-seen" not in page(client, conversation).content.decode()
    services.conversation_mark_read(conversation=conversation, reader=pro, up_to_seq=1)
    html = page(client, conversation).content.decode()
    assert re.search(r'id="message-1".*data-seen>Seen<', html, re.S)


def test_script_is_text_in_page_and_json(client, conversation, customer):
    send(conversation, customer, "<script>alert(1)</script>")
    client.force_login(customer)
    html = page(client, conversation).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\\u003Cscript\\u003E" in html  # json_script escapes it in the embedded payloads


def test_masking_in_page_before_and_after_acceptance(client, conversation, customer, pro, service):
    send(conversation, customer, "Ring me on 0412 345 678")
    client.force_login(pro)
    html = page(client, conversation).content.decode()
    assert HIDDEN in html and NOTE in html and "0412" not in html
    BookingFactory(service=service, customer=customer, status=Booking.Status.ACCEPTED)
    html = page(client, conversation).content.decode()
    assert "0412 345 678" in html and NOTE not in html


def test_send_with_the_plain_form(client, conversation, customer, pro):
    client.force_login(customer)
    url = reverse("chat_conversation", args=[conversation.pk])
    response = client.post(url, {"body": "Can you come Tuesday?", "photos": [png(), png("b.png")]})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.sender, message.body, message.photos.count()) == (
        customer,
        "Can you come Tuesday?",
        2,
    )


def test_send_errors_are_shown_and_nothing_saved(client, conversation, customer):
    client.force_login(customer)
    url = reverse("chat_conversation", args=[conversation.pk])
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400
    assert "Write a message or attach a photo." in response.content.decode()
    response = client.post(url, {"body": "x", "photos": [png() for _ in range(5)]})
    assert response.status_code == 400
    assert "at most 4" in response.content.decode()
    response = client.post(url, {"body": "x" * 5000})
    assert "at most 4,000 characters" in response.content.decode()
    assert not Message.objects.exists()


def test_rate_limited_on_the_form(client, conversation, customer):
    for _ in range(services.RATE_LIMIT_MESSAGES):
        send(conversation, customer)
    client.force_login(customer)
    url = reverse("chat_conversation", args=[conversation.pk])
    response = client.post(url, {"body": "one more"})
    assert response.status_code == 400
    assert services.RATE_LIMITED in response.content.decode()
    assert Message.objects.count() == services.RATE_LIMIT_MESSAGES


def test_too_many_files_for_the_request_is_a_page_not_a_500(client, conversation, customer):
    client.force_login(customer)
    url = reverse("chat_conversation", args=[conversation.pk])
    response = client.post(url, {"body": "x", "photos": [png() for _ in range(20)]})
    assert response.status_code in (400, 413)
    assert not Message.objects.exists()


def test_the_about_chip_is_carried_to_the_message(client, conversation, customer, service):
    client.force_login(customer)
    token = f"listing:{service.pk}"
    html = page(client, conversation, about=token).content.decode()
    assert "About:" in html and f'value="{token}"' in html
    client.post(
        reverse("chat_conversation", args=[conversation.pk]), {"body": "Hi", "about": token}
    )
    assert Message.objects.get().service == service
    html = page(client, conversation).content.decode()
    assert f'href="{service.get_absolute_url()}">Listing: Switchboard upgrade<' in html


def test_someone_elses_thing_is_no_chip(client, conversation, customer):
    client.force_login(customer)
    html = page(client, conversation, about=f"listing:{ServiceFactory().pk}").content.decode()
    assert "About:" not in html


@pytest.mark.parametrize("about", ["", "listing:x", "nothing:1", "booking:" + "9" * 40, "job:٣"])
def test_odd_about_tokens_are_ignored(client, conversation, customer, about):
    client.force_login(customer)
    assert page(client, conversation, about=about).status_code == 200
    response = client.post(
        reverse("chat_conversation", args=[conversation.pk]), {"body": "Hi", "about": about}
    )
    assert response.status_code == 302
    assert Message.objects.filter(service=None, booking=None, job=None).exists()
    Message.objects.all().delete()


def test_earlier_messages_page(client, conversation, customer, monkeypatch):
    from chat import views

    monkeypatch.setattr(views, "PAGE_MESSAGES", 2)
    for n in range(5):
        send(conversation, customer, f"m{n}")
    client.force_login(customer)
    html = page(client, conversation).content.decode()
    assert ">m4<" in html and ">m2<" not in html and "?before=4" in html
    html = page(client, conversation, before="4").content.decode()
    assert ">m1<" in html and ">m2<" in html and ">m3<" not in html


# --- opening from a button -----------------------------------------------------------------


def test_open_from_a_listing(client, customer, service):
    client.force_login(customer)
    response = client.post(
        reverse("chat_open"), {"provider": service.provider.pk, "about": f"listing:{service.pk}"}
    )
    conversation = Conversation.objects.get()
    assert response.url == f"/messages/{conversation.pk}/?about=listing%3A{service.pk}#chat-form"


def test_a_provider_cannot_open_cold_from_the_page(client, pro, customer):
    client.force_login(pro)
    response = client.post(
        reverse("chat_open"), {"customer": customer.pk, "next": "/portal/"}, follow=True
    )
    assert "out of the blue" in response.content.decode()
    assert not Conversation.objects.exists()


def test_provider_opens_about_a_booking(client, pro, customer, service):
    booking = BookingFactory(service=service, customer=customer)
    client.force_login(pro)
    response = client.post(
        reverse("chat_open"), {"customer": customer.pk, "about": f"booking:{booking.pk}"}
    )
    assert response.status_code == 302
    assert Conversation.objects.get().customer == customer


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"provider": "x"},
        {"provider": "9" * 30},
        {"provider": "1", "customer": "1"},
        {"customer": "٣"},
    ],
)
def test_open_with_bad_input_is_a_404(client, customer, data):
    client.force_login(customer)
    assert client.post(reverse("chat_open"), data).status_code == 404


def test_open_about_nothing_there_is_a_404(client, customer, service):
    client.force_login(customer)
    data = {"provider": service.provider.pk, "about": "booking:999999"}
    assert client.post(reverse("chat_open"), data).status_code == 404


def test_open_needs_post_and_sign_in(client, customer, service):
    assert client.post(reverse("chat_open"), {"provider": service.provider.pk}).status_code == 302
    client.force_login(customer)
    assert client.get(reverse("chat_open")).status_code == 405


# --- block and report ----------------------------------------------------------------------


def test_block_and_unblock_from_the_page(client, conversation, customer, pro):
    client.force_login(customer)
    client.post(reverse("chat_block", args=[conversation.pk]))
    assert Block.objects.filter(blocker=customer, blocked=pro).exists()
    html = page(client, conversation).content.decode()
    assert "Messages are blocked between you and this person." in html
    assert "data-chat-form" not in html
    client.force_login(pro)
    html = page(client, conversation).content.decode()
    assert "Messages are blocked" in html
    response = client.post(reverse("chat_conversation", args=[conversation.pk]), {"body": "hi"})
    assert response.status_code == 403 and not Message.objects.exists()
    client.force_login(customer)
    client.post(reverse("chat_unblock", args=[conversation.pk]))
    assert not Block.objects.exists()


def test_report_a_message(client, conversation, customer, pro):
    message = send(conversation, pro, "<b>cash only</b>")
    url = reverse("chat_report", args=[conversation.pk, message.pk])
    client.force_login(customer)
    html = page(client, conversation).content.decode()
    assert f'href="{url}"' in html
    html = client.get(url).content.decode()
    assert "&lt;b&gt;cash only&lt;/b&gt;" in html
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Asks to pay off the platform"})
    assert response.status_code == 302
    report = MessageReport.objects.get()
    assert (report.reporter, report.message) == (customer, message)


def test_own_messages_cannot_be_reported(client, conversation, customer):
    message = send(conversation, customer, "mine")
    client.force_login(customer)
    url = reverse("chat_report", args=[conversation.pk, message.pk])
    assert url not in page(client, conversation).content.decode()
    assert client.post(url, {"reason": "x"}).status_code == 403


# --- photos and authorization --------------------------------------------------------------


def test_photos_only_to_participants(client, conversation, customer, pro, stranger):
    photo = send(conversation, customer, photos=[png()]).photos.get()
    for user in (customer, pro):
        client.force_login(user)
        for name in ("chat_photo", "chat_photo_thumb"):
            response = client.get(reverse(name, args=[photo.key]))
            assert response.status_code == 200
            assert response["Content-Type"] == "image/jpeg"
            assert "private" in response["Cache-Control"]
            assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(stranger)
    assert client.get(reverse("chat_photo", args=[photo.key])).status_code == 404
    assert client.get(reverse("chat_photo_thumb", args=[photo.key])).status_code == 404


def test_chat_photo_files_are_not_served_as_plain_media(client, conversation, customer):
    from django.urls import resolve

    from chat.views import media_refused

    photo = send(conversation, customer, photos=[png()]).photos.get()
    client.force_login(customer)
    path = f"/media/{photo.image.name}"
    # The catch-all media server would send it; the chat guard comes first.
    assert resolve(path).func is media_refused
    assert client.get(path).status_code == 404


@pytest.fixture
def every_url(conversation, customer, pro):
    message = send(conversation, pro, "hi")
    photo = send(conversation, pro, photos=[png()]).photos.get()
    return [
        ("get", reverse("chat_conversation", args=[conversation.pk])),
        ("post", reverse("chat_conversation", args=[conversation.pk])),
        ("post", reverse("chat_block", args=[conversation.pk])),
        ("post", reverse("chat_unblock", args=[conversation.pk])),
        ("get", reverse("chat_report", args=[conversation.pk, message.pk])),
        ("post", reverse("chat_report", args=[conversation.pk, message.pk])),
        ("get", reverse("chat_photo", args=[photo.key])),
        ("get", reverse("chat_photo_thumb", args=[photo.key])),
    ]


def test_every_chat_url_is_a_404_for_anyone_else(client, every_url, stranger):
    client.force_login(stranger)
    for method, url in every_url:
        response = getattr(client, method)(url, {"body": "x", "reason": "x"})
        assert response.status_code == 404, (method, url)
    assert not Block.objects.exists() and not MessageReport.objects.exists()
    assert Message.objects.count() == 2


def test_every_chat_url_asks_anonymous_people_to_sign_in(client, every_url):
    for method, url in every_url:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


@pytest.mark.parametrize("pk", ["0", "9" * 19, "9" * 40])
def test_huge_ids_are_404(client, customer, conversation, pk):
    client.force_login(customer)
    assert client.get(f"/messages/{pk}/").status_code == 404
    assert client.get(f"/messages/{conversation.pk}/messages/{pk}/report/").status_code == 404


def test_a_message_of_another_conversation_cannot_be_reported_here(client, conversation, customer):
    other = services.conversation_open(user=customer, provider=ServiceFactory().provider)
    message = send(other, other.provider.user, "hi")
    client.force_login(customer)
    url = reverse("chat_report", args=[conversation.pk, message.pk])
    assert client.get(url).status_code == 404


def test_odd_unicode_is_kept_as_text(client, conversation, customer):
    client.force_login(customer)
    url = reverse("chat_conversation", args=[conversation.pk])
    body = "Zalgo z\u0337\u0322a\u0335l, RTL \u202eevil\u202c, emoji \U0001f527, \ufeff"
    assert client.post(url, {"body": body}).status_code == 302
    assert "\U0001f527" in Message.objects.get().body
    # A NUL (PostgreSQL refuses it in text) is a clear error, nothing saved.
    response = client.post(url, {"body": "nul\x00"})
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()
    assert Message.objects.count() == 1


def test_an_inactive_other_user_cannot_be_a_target(client, pro, customer):
    customer.is_active = False
    customer.save()
    client.force_login(pro)
    assert client.post(reverse("chat_open"), {"customer": customer.pk}).status_code == 404


def test_a_user_of_both_kinds_sees_each_side(client, customer, service):
    """One account can be a customer in one conversation and the provider in another."""
    both = ProviderProfileFactory(approved=True).user
    as_customer = services.conversation_open(user=both, provider=service.provider)
    send(as_customer, both, "I need a sparky")
    as_provider = services.conversation_open(user=customer, provider=both.provider_profile)
    send(as_provider, customer, "Are you free?")
    client.force_login(both)
    html = client.get(reverse("chat_inbox")).content.decode()
    assert service.provider.business_name in html and "Casey Customer" in html


@pytest.mark.parametrize("query", ["nul\x00", "\x00", "tab\tand\x07bell"])
def test_inbox_search_with_control_characters_is_no_500(client, customer, conversation, query):
    send(conversation, customer, "Hi")
    client.force_login(customer)
    assert client.get(reverse("chat_inbox"), {"q": query}).status_code == 200
