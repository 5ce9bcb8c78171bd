"""With Redis stopped or hung, chat keeps working through its pages: the inbox and the
conversation render, a message sent with the plain form (with a photo) is saved within a few
seconds, the rate limit still holds (counted in PostgreSQL), and nothing is lost.

Runs its own Redis (marketplace.testing.RedisServer) behind the cache and the channel layer;
requests commit, so the after-commit broadcast meets the layer that is down, as in production.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import ProviderProfileFactory
from chat import services
from chat.models import Message
from chat.tests.factories import png
from jobs.tests.test_redis_outage import own_redis  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

BUDGET_SECONDS = 3.0


def timed(call):
    start = time.monotonic()
    response = call()
    took = time.monotonic() - start
    assert took < BUDGET_SECONDS, f"took {took:.1f} s"
    return response


@pytest.mark.parametrize("outage", ["stopped", "hung"])
def test_chat_pages_work_while_redis_is_down(own_redis, outage, customer):  # noqa: F811
    provider = ProviderProfileFactory(approved=True)
    conversation = services.conversation_open(user=customer, provider=provider)
    own_redis.stop() if outage == "stopped" else own_redis.pause()

    client = Client()
    client.force_login(customer)
    assert timed(lambda: client.get(reverse("chat_inbox"))).status_code == 200
    url = conversation.get_absolute_url()
    assert timed(lambda: client.get(url)).status_code == 200
    sent = timed(lambda: client.post(url, {"body": "Are you free?", "photos": [png()]}))
    assert sent.status_code == 302
    message = Message.objects.get()
    assert (message.body, message.photos.count()) == ("Are you free?", 1)

    # The burst limit holds without Redis: counted from the sender's rows.
    for _ in range(services.RATE_LIMIT_MESSAGES - 1):
        services.message_send(conversation=conversation, sender=customer, body="again")
    refused = timed(lambda: client.post(url, {"body": "one too many"}))
    assert refused.status_code == 400
    assert services.RATE_LIMITED in refused.content.decode()
    assert Message.objects.count() == services.RATE_LIMIT_MESSAGES
    if outage == "hung":
        own_redis.resume()
