"""The live chat as deployed: daphne processes on the test database and a real Redis.

- Scale-out: two daphne processes on two ports sharing one Redis and one database; a person
  on one receives, live, what the other person sends on the other.
"""

import asyncio

import pytest
from django.conf import settings
from django.test import Client

from bench import wsclient
from marketplace.testing import daphne_server, database_url

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _hello(socket: wsclient.WebSocket, after: int = 0) -> list[dict]:
    """Say where this page is; the messages it caught up with."""
    await socket.send_json({"type": "hello", "after": after})
    messages = []
    while (frame := await socket.receive_json())["type"] != "read":
        if frame["type"] == "message":
            messages.append(frame["message"])
    return messages


async def _next_message(socket: wsclient.WebSocket) -> dict:
    while (frame := await socket.receive_json())["type"] != "message":
        assert frame["type"] != "error", frame
    return frame["message"]


async def _across(port_a: int, port_b: int, path: str, customer: str, provider: str) -> None:
    on_a = await wsclient.connect(port_a, path, cookie=customer)
    on_b = await wsclient.connect(port_b, path, cookie=provider)
    try:
        assert await _hello(on_a) == [] and await _hello(on_b) == []
        await on_a.send_json({"type": "send", "body": "Sent through A"})
        received = await _next_message(on_b)
        assert (received["seq"], received["body"], received["mine"]) == (1, "Sent through A", False)
        await on_b.send_json({"type": "send", "body": "Answered through B"})
        mine, answer = await _next_message(on_a), await _next_message(on_a)
        assert (mine["seq"], mine["mine"]) == (1, True)
        assert (answer["seq"], answer["body"], answer["mine"]) == (2, "Answered through B", False)
    finally:
        await on_a.close()
        await on_b.close()


def test_two_daphne_processes_share_live_messages_through_one_redis(
    conversation, customer, pro, tmp_path
):
    env = {"DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL}
    path = f"/ws/chat/{conversation.pk}/"
    with (
        daphne_server(env, log_path=tmp_path / "a.log") as port_a,
        daphne_server(env, log_path=tmp_path / "b.log") as port_b,
    ):
        assert port_a != port_b
        asyncio.run(_across(port_a, port_b, path, _cookie(customer), _cookie(pro)))


def test_a_stranger_is_refused_by_a_real_server_with_4403(conversation, stranger, tmp_path):
    cookie = _cookie(stranger)

    async def refused(port: int) -> int | None:
        socket = await wsclient.connect(port, f"/ws/chat/{conversation.pk}/", cookie=cookie)
        with pytest.raises(wsclient.Closed) as closed:
            await socket.receive_json()
        return closed.value.code

    env = {"DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL}
    with daphne_server(env, log_path=tmp_path / "daphne.log") as port:
        assert asyncio.run(refused(port)) == 4403
