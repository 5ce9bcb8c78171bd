"""The channel layer (Redis) keeps an idle websocket's consumer alive."""

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings


@pytest.mark.asyncio
async def test_a_receive_with_nothing_to_read_outlasts_the_layers_blocking_wait():
    # A consumer waits on layer.receive() for as long as its socket is open; channels_redis
    # blocks in Redis for `brpop_timeout` at a time. A quiet socket must not fail that wait.
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channel = await layer.new_channel()

    async def send_later() -> None:
        await asyncio.sleep(layer.brpop_timeout + 1)
        await layer.send(channel, {"type": "chat.late"})

    sender = asyncio.create_task(send_later())
    try:
        message = await asyncio.wait_for(layer.receive(channel), layer.brpop_timeout + 10)
    finally:
        await sender
        await layer.close_pools()
    assert message == {"type": "chat.late"}
