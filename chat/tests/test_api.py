"""The chat API: the inbox, opening, messages paged back by seq in the payload the page and
the socket use, sending (photos, blocks, suspensions, the rate limit), marking read; anyone
but the two people gets a 404."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ProviderProfile
from accounts.tests.factories import ProviderProfileFactory
from chat import selectors, services
from chat.models import Conversation, Message
from chat.tests.factories import png

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def send(conversation, sender, body="Hello", **kwargs):
    return services.message_send(conversation=conversation, sender=sender, body=body, **kwargs)


def messages_url(conversation) -> str:
    return f"/api/conversations/{conversation.pk}/messages/"


# --- the inbox and opening -----------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 6])
def test_the_inbox_is_paged_and_its_query_count_constant(
    customer, count, django_assert_num_queries
):
    for n in range(count):
        provider = ProviderProfileFactory(approved=True, business_name=f"Pro {n}")
        send(services.conversation_open(user=customer, provider=provider), provider.user, f"Hi {n}")
    client = api(customer)

    with django_assert_num_queries(1):  # the rows, with last message, photo and booking checks
        body = client.get("/api/conversations/").json()

    assert [row["other_name"] for row in body["results"]] == [
        f"Pro {n}" for n in reversed(range(count))
    ]
    assert body["results"][0]["unread"] == 1 and body["next"] is None


def test_the_inbox_narrows_by_name_and_refuses_bad_pages(customer, conversation, pro):
    send(conversation, pro)
    client = api(customer)

    assert len(client.get("/api/conversations/", {"q": "nobody"}).json()["results"]) == 0
    assert client.get("/api/conversations/", {"page": "0"}).status_code == 400
    assert client.get("/api/conversations/", {"page": str(2**70)}).status_code == 400
    assert client.get("/api/conversations/", {"q": "x" * 1000}).status_code == 400
    assert api().get("/api/conversations/").status_code == 401


def test_a_customer_opens_a_conversation_once(customer, service):
    client = api(customer)
    data = {"provider": service.provider_id, "about": f"listing:{service.pk}", "customer": None}

    first = client.post("/api/conversations/", data | {"last_seq": 99}, format="json")
    again = client.post("/api/conversations/", {"provider": service.provider_id}, format="json")

    assert first.status_code == again.status_code == 200, first.json()
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["last_seq"] == 0
    assert Conversation.objects.get().customer == customer


def test_opening_needs_one_person_and_a_real_about(customer, service):
    client = api(customer)

    assert client.post("/api/conversations/", {}, format="json").status_code == 400
    both = {"provider": service.provider_id, "customer": customer.pk}
    assert client.post("/api/conversations/", both, format="json").status_code == 400
    huge = client.post("/api/conversations/", {"provider": 2**70}, format="json")
    assert huge.status_code == 400 and "provider" in huge.json()["fields"]
    missing = client.post("/api/conversations/", {"provider": 2**40}, format="json")
    assert missing.status_code == 404
    bad_about = {"provider": service.provider_id, "about": "booking:999999"}
    assert client.post("/api/conversations/", bad_about, format="json").status_code == 404
    assert not Conversation.objects.exists()


def test_a_customer_cannot_open_one_with_a_customer(customer, stranger):
    response = api(customer).post("/api/conversations/", {"customer": stranger.pk}, format="json")

    assert response.status_code == 403
    assert response.json()["message"] == "Only providers can start a conversation with a customer."


# --- messages ------------------------------------------------------------------------------


def test_messages_come_newest_first_in_the_pages_shape_and_page_back_by_seq(
    conversation, customer, pro
):
    for n in range(1, 8):
        send(conversation, customer if n % 2 else pro, f"Message {n}")
    client = api(customer)

    first = client.get(messages_url(conversation), {"page_size": 3}).json()
    assert [m["seq"] for m in first["results"]] == [7, 6, 5]
    conversation.refresh_from_db()
    page_shape = selectors.messages_after(conversation=conversation, viewer=customer, after_seq=6)
    assert first["results"][0] == page_shape[0].payload()
    assert "before=5" in first["next"] and "page_size=3" in first["next"]

    second = client.get(first["next"]).json()
    assert [m["seq"] for m in second["results"]] == [4, 3, 2]
    last = client.get(messages_url(conversation), {"before": 2, "page_size": 3}).json()
    assert [m["seq"] for m in last["results"]] == [1] and last["next"] is None


def test_the_default_page_is_the_newest_fifty(conversation, customer):
    Message.objects.bulk_create(
        Message(conversation=conversation, sender=customer, seq=n, body=f"m{n}")
        for n in range(1, 61)
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=60)

    body = api(customer).get(messages_url(conversation)).json()
    assert [m["seq"] for m in body["results"]] == list(range(60, 10, -1))


@pytest.mark.parametrize("count", [1, 8])
def test_messages_query_count_is_constant(
    conversation, customer, pro, count, django_assert_num_queries
):
    for n in range(count):
        send(conversation, pro, f"Message {n}", photos=[png()] if n % 2 else [])
    client = api(customer)

    # the conversation, the messages with their context, their photos, the booking check
    with django_assert_num_queries(4):
        assert len(client.get(messages_url(conversation)).json()["results"]) == count


def test_bad_paging_is_a_400(conversation, customer):
    client = api(customer)
    for params in ({"before": "0"}, {"before": str(2**40)}, {"page_size": "101"}, {"before": "x"}):
        assert client.get(messages_url(conversation), params).status_code == 400


def test_not_a_participant_is_a_404_everywhere(conversation, customer, stranger, pro):
    send(conversation, customer)
    other_provider = ProviderProfileFactory(approved=True).user
    for user in (stranger, other_provider):
        client = api(user)
        assert client.get(messages_url(conversation)).status_code == 404
        sent = client.post(messages_url(conversation), {"body": "hi"}, format="json")
        assert sent.status_code == 404
        read = client.post(f"/api/conversations/{conversation.pk}/read/", {}, format="json")
        assert read.status_code == 404
    assert api(customer).get(f"/api/conversations/{2**64}/messages/").status_code == 404
    assert Message.objects.count() == 1


def test_sending_a_message_with_photos(conversation, customer):
    response = api(customer).post(
        messages_url(conversation),
        {"body": "Here is the switchboard", "photos": [png()], "seq": 99, "mine": False},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["seq"] == 1 and body["mine"] is True and len(body["photos"]) == 1
    message = Message.objects.get()
    assert message.sender == customer and message.photos.count() == 1


def test_an_empty_or_too_long_message_is_refused(conversation, customer):
    client = api(customer)

    empty = client.post(messages_url(conversation), {"body": "  "}, format="json")
    assert empty.status_code == 400
    long = client.post(messages_url(conversation), {"body": "x" * 100_000}, format="json")
    assert long.status_code == 400 and "body" in long.json()["fields"]
    five = client.post(
        messages_url(conversation), {"photos": [png() for _ in range(5)]}, format="multipart"
    )
    assert five.status_code == 400 and "photos" in five.json()["fields"]
    assert not Message.objects.exists()


def test_the_rate_limit_applies_with_the_pages_message(client, conversation, customer):
    for _ in range(services.RATE_LIMIT_MESSAGES):
        send(conversation, customer)

    response = api(customer).post(messages_url(conversation), {"body": "more"}, format="json")
    client.force_login(customer)
    page = client.post(f"/messages/{conversation.pk}/", {"body": "more"})

    assert response.status_code == page.status_code == 400
    assert response.json()["code"] == "rate_limited"
    assert response.json()["message"] == services.RATE_LIMITED
    assert services.RATE_LIMITED in page.content.decode()
    assert Message.objects.count() == services.RATE_LIMIT_MESSAGES


def test_a_block_refuses_sending_as_the_page_does(client, conversation, customer, pro):
    services.user_block(blocker=customer, blocked=pro)

    response = api(pro).post(messages_url(conversation), {"body": "hello?"}, format="json")
    client.force_login(pro)
    page = client.post(f"/messages/{conversation.pk}/", {"body": "hello?"})

    assert response.status_code == page.status_code == 403
    assert response.json()["message"] in page.content.decode()
    assert not Message.objects.exists()


def test_a_suspended_providers_conversation_takes_no_messages(conversation, customer):
    ProviderProfile.objects.filter(pk=conversation.provider_id).update(status="suspended")

    response = api(customer).post(messages_url(conversation), {"body": "hi"}, format="json")
    assert response.status_code == 409 and "suspended" in response.json()["message"]


# --- read ----------------------------------------------------------------------------------


def test_marking_read_moves_forward_only(conversation, customer, pro):
    for n in range(3):
        send(conversation, pro, f"m{n}")
    client = api(customer)
    url = f"/api/conversations/{conversation.pk}/read/"

    assert client.post(url, {"up_to_seq": 2}, format="json").json() == {"read_seq": 2}
    assert client.post(url, {"up_to_seq": 1}, format="json").json() == {"read_seq": 2}
    assert client.post(url, {}, format="json").json() == {"read_seq": 3}
    assert client.post(url, {"up_to_seq": 2**40}, format="json").status_code == 400
    assert client.post(url, {"up_to_seq": "x"}, format="json").status_code == 400
    conversation.refresh_from_db()
    assert conversation.customer_read_seq == 3 and conversation.provider_read_seq == 3


@pytest.mark.parametrize(
    "data",
    [
        {"body": None},
        {"body": ["a", "list"]},
        {"body": {"an": "object"}},
        {"photos": ["not a file"]},
        {"about": "x" * 1000},
    ],
)
def test_wrong_types_are_400s_and_save_nothing(conversation, customer, data):
    response = api(customer).post(messages_url(conversation), {"body": "hi"} | data, format="json")

    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert [name.split(".")[0] for name in response.json()["fields"]] == list(data)
    assert not Message.objects.exists()


def test_a_non_object_body_or_a_wrong_content_type_is_a_4xx(conversation, customer):
    client = api(customer)

    assert client.post(messages_url(conversation), [1], format="json").status_code == 400
    wrong = client.generic("POST", messages_url(conversation), "hi", content_type="text/csv")
    assert wrong.status_code == 415
    bad = client.generic("POST", "/api/conversations/", "{", content_type="application/json")
    assert bad.status_code == 400
