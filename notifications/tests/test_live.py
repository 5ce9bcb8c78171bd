"""The live bell: /ws/notifications/ through the real ASGI application (session, origin check)
and the real Redis channel layer; notify() announces a notification after its commit."""

import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from accounts.tests.factories import UserFactory
from marketplace.asgi import application
from notifications import services
from notifications.models import Notification
from notifications.services import notify

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def socket_for(
    path: str, user=None, *, origin=ORIGIN
) -> tuple[WebsocketCommunicator, bool, int]:
    """A communicator on the whole ASGI stack, signed in as `user` by its session cookie;
    connected, with whether it was accepted and the close code if not."""
    headers = [origin, (b"host", b"testserver")]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    accepted, code = await communicator.connect(timeout=5)
    return communicator, accepted, code


async def bell_for(user) -> tuple[WebsocketCommunicator, dict]:
    """The header socket of `user` and the count it opens with. The site's route is the chat
    app's subclass, which follows it with the unread messages total (chat's tests cover it)."""
    communicator, accepted, _ = await socket_for("/ws/notifications/", user)
    assert accepted
    first = await communicator.receive_json_from(timeout=5)
    assert (await communicator.receive_json_from(timeout=5))["type"] == "messages_unread"
    return communicator, first


@database_sync_to_async
def _notify_committed(recipient, title="Pat booked you", url="/bookings/7/") -> Notification:
    with transaction.atomic():
        return notify(recipient=recipient, kind="booking_requested", title=title, body="", url=url)


@pytest.mark.asyncio
async def test_anonymous_socket_is_closed_with_4403():
    communicator, _, _ = await socket_for("/ws/notifications/")
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4403,
    }


@pytest.mark.asyncio
async def test_other_origin_is_refused():
    user = await database_sync_to_async(UserFactory)()
    _, accepted, _ = await socket_for(
        "/ws/notifications/", user, origin=(b"origin", b"https://evil.example")
    )
    assert not accepted


@pytest.mark.asyncio
async def test_connect_sends_the_count_then_each_new_notification_live():
    user = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(NotificationFactory.create_batch)(2, recipient=user)
    communicator, first = await bell_for(user)
    assert first == {
        "type": "notification",
        "unread": 2,
        "label": "2",
        "title": "",
    }

    await _notify_committed(user, title="<b>Pat</b> booked you")

    assert await communicator.receive_json_from(timeout=5) == {
        "type": "notification",
        "unread": 3,
        "label": "3",
        "title": "<b>Pat</b> booked you",  # text: live.js puts it in with textContent
        "url": "/bookings/7/",
    }
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_count_is_capped_as_the_bell_shows_it():
    user = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(NotificationFactory.create_batch)(12, recipient=user)
    communicator, first = await bell_for(user)
    assert (first["unread"], first["label"]) == (10, "9+")
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_only_the_recipient_hears_of_it():
    recipient, other = await database_sync_to_async(UserFactory.create_batch)(2)
    theirs, _ = await bell_for(other)
    mine, _ = await bell_for(recipient)

    await _notify_committed(recipient)

    assert (await mine.receive_json_from(timeout=5))["unread"] == 1
    assert await theirs.receive_nothing(timeout=0.5)
    await mine.disconnect()
    await theirs.disconnect()


@pytest.mark.asyncio
async def test_a_rolled_back_notification_is_never_announced():
    user = await database_sync_to_async(UserFactory)()
    communicator, _ = await bell_for(user)

    @database_sync_to_async
    def notify_then_roll_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipient=user, kind="x", title="Never", body="", url="/")
            raise RuntimeError

    await notify_then_roll_back()
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_an_announcement_for_someone_else_s_row_sends_nothing():
    """The group message carries only an id; the consumer reads it as the user's own row."""
    owner, user = await database_sync_to_async(UserFactory.create_batch)(2)
    foreign = await database_sync_to_async(NotificationFactory)(recipient=owner)
    communicator, _ = await bell_for(user)
    layer = get_channel_layer()
    await layer.group_send(
        services.user_group(user.pk), {"type": "notification.created", "id": foreign.pk}
    )
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


@pytest.fixture
def dead_channel_layer(settings, monkeypatch):
    """A channel layer whose Redis is not there (nothing listens on port 1)."""
    settings.CHANNEL_LAYERS = {
        "default": {
            **settings.CHANNEL_LAYERS["default"],
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }


def test_redis_down_notify_still_commits_and_logs(dead_channel_layer, caplog):
    user = UserFactory()
    with caplog.at_level(logging.WARNING, logger="marketplace.live"):
        with transaction.atomic():
            notification = notify(recipient=user, kind="x", title="Saved", body="", url="/")
        assert Notification.objects.filter(pk=notification.pk).exists()
        # Within the retry window the next one does not even try (no second timeout).
        with transaction.atomic():
            notify(recipient=user, kind="x", title="Also saved", body="", url="/")
    assert Notification.objects.filter(recipient=user).count() == 2
    warnings = [r for r in caplog.records if "Could not tell group" in r.getMessage()]
    assert len(warnings) == 1
