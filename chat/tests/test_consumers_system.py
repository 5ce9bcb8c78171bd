"""The live chat as deployed: daphne processes on the test database and a real Redis.

- Scale-out: two daphne processes on two ports sharing one Redis and one database; a person
  on one receives, live, what the other person sends on the other.
- Redis down: the conversation page renders, the plain form saves, the socket cannot open
  (the page shows "Reconnecting..."), and once Redis is back the socket opens again and
  catches up with what was sent meanwhile.
"""

import asyncio
import http.client
import re
import subprocess
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client

from bench import wsclient
from chat.models import Message
from marketplace.testing import RedisServer, _answers, daphne_server, database_url

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


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(rf"{settings.CSRF_COOKIE_NAME}=([^;]+)")


def _request(port: int, method: str, path: str, cookie: str, body: str = "") -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        connection.close()


def _form_send(port: int, path: str, cookie: str, body: str) -> int:
    """Send a message with the conversation page's plain form, as without JavaScript."""
    status, set_cookie, page = _request(port, "GET", path, cookie)
    assert status == 200, page[:500]
    cookie += f"; {settings.CSRF_COOKIE_NAME}={CSRF_COOKIE.search(set_cookie)[1]}"
    form = urlencode({"csrfmiddlewaretoken": CSRF_INPUT.search(page)[1], "body": body})
    status, _, _ = _request(port, "POST", path, cookie, form)
    return status


@contextmanager
def _redis_again(port: int):
    """Redis back on the port it was stopped on (the daphne process reconnects to it)."""
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _answers(port, process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _refused_while_down(port: int, path: str, cookie: str) -> None:
    """The consumer cannot join its group: the socket is refused or closed (the page shows
    "Reconnecting..." and retries)."""
    with pytest.raises((wsclient.Closed, asyncio.IncompleteReadError)):
        socket = await wsclient.connect(port, path, cookie=cookie)
        await socket.receive_json()


async def _back(port: int, path: str, cookie: str) -> list[dict]:
    """Reconnect as the page does (it retries with backoff) and catch up from seq 0."""
    for _ in range(50):
        try:
            socket = await wsclient.connect(port, path, cookie=cookie)
            try:
                return await _hello(socket)
            finally:
                await socket.close()
        except (wsclient.Closed, asyncio.IncompleteReadError, ConnectionError):
            await asyncio.sleep(0.2)
    raise AssertionError("the socket never came back")


def test_redis_down_the_form_saves_and_the_socket_catches_up_when_it_returns(
    conversation, customer, pro, tmp_path
):
    path = f"/messages/{conversation.pk}/"
    socket_path = f"/ws/chat/{conversation.pk}/"
    customer_cookie, pro_cookie = _cookie(customer), _cookie(pro)
    with RedisServer() as redis_server:
        env = {"DATABASE_URL": database_url(), "REDIS_URL": redis_server.url()}
        with daphne_server(env, log_path=tmp_path / "daphne.log") as port:
            assert asyncio.run(_back(port, socket_path, pro_cookie)) == []
            redis_server.stop()

            assert _form_send(port, path, customer_cookie, "Sent while Redis was down") == 302
            assert Message.objects.get().body == "Sent while Redis was down"
            status, _, page = _request(port, "GET", path, pro_cookie)
            assert status == 200 and "Sent while Redis was down" in page
            asyncio.run(_refused_while_down(port, socket_path, pro_cookie))

            with _redis_again(redis_server.port):
                caught_up = asyncio.run(_back(port, socket_path, pro_cookie))
                assert [(m["seq"], m["body"]) for m in caught_up] == [
                    (1, "Sent while Redis was down")
                ]
