"""The chat part of `make bench`: live delivery through one daphne process.

Latency, four scenarios, each with its own people:

- *one conversation*, N clients: N sockets on one conversation (N/2 of the customer's tabs,
  N/2 of the provider's); the two people take turns sending, and every socket must receive
  every message;
- *separate conversations*, N clients: N/2 conversations with their two people each, all
  running at the same time.

The load is what people can send: no one may send more than the per-user rate limit (20
messages a minute, chat.services.RATE_LIMIT_MESSAGES), so each person sends at that limit and
no faster -- a conversation's two people alternate, one message every PACE_SECONDS (1.5 s) per
conversation, each person every 3 s. This is an open loop: a message goes at its time whether
or not the last one has arrived, so a server that falls behind shows it as growing latency.
The conversations start spread over one pace (people do not type in step). For each message:
from the moment the sender's frame is written to the moment each client of its conversation
has it (the sender's own socket included); p50 and p95 over every client and message.

Throughput, one more row, *flood (closed loop)*: N/2 = 25 separate conversations each send
their next message the instant every client has the last one, so the server always has work
queued; its messages per second is what one daphne process can carry (its latencies are
queueing, not what a person waits). A real user cannot send like this: the rate limit would
refuse them; the benchmark's people stay under it (ROUNDS / 2 messages each a run).

The people are real rows in the benchmark database: approved providers from the seed, and
customers the benchmark adds once (bench-chat-<n>@bench.invalid); conversations are opened
with chat.services.conversation_open, messages saved by the socket as any other.
"""

import asyncio
import math
import os
import time
from pathlib import Path

from bench import wsclient

SCENARIOS = (("one conversation", 2), ("one conversation", 50))
SCENARIOS += (("separate conversations", 2), ("separate conversations", 50))
FLOOD = "flood: separate conversations, 50 clients (closed loop)"
FLOOD_CLIENTS = 50
# Messages per conversation, each of its two people sending half; with PACE_SECONDS this
# keeps the whole chat part under two minutes.
ROUNDS = 16
# One message a conversation this often, its two people alternating: each person sends every
# 2 * 1.5 = 3 s, 20 a minute, the per-user rate limit.
PACE_SECONDS = 1.5


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _pairs(count: int) -> list[dict]:
    """`count` (customer, provider) conversations, each with both people's session cookies."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from accounts.models import ProviderProfile, User
    from chat.services import conversation_open

    providers = list(
        ProviderProfile.objects.filter(
            status=ProviderProfile.Status.APPROVED, user__is_active=True
        ).order_by("pk")[:count]
    )
    if len(providers) < count:
        raise SystemExit(f"The chat benchmark needs {count} approved providers.")
    pairs = []
    for number, provider in enumerate(providers):
        customer, _ = User.objects.get_or_create(
            email=f"bench-chat-{number}@bench.invalid",
            defaults={"name": f"Bench customer {number}"},
        )
        conversation = conversation_open(user=customer, provider=provider)
        cookies = []
        for user in (customer, provider.user):
            client = Client()
            client.force_login(user)
            cookies.append(
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            )
        pairs.append({"id": conversation.pk, "last_seq": conversation.last_seq, "cookies": cookies})
    # A run a minute after the last would otherwise meet the last run's rate-limit counts.
    cache.delete_pattern("chat:rate:*")
    return pairs


async def _receive_seq(socket: wsclient.WebSocket, seq: int, started: float) -> float:
    while True:
        frame = await socket.receive_json(timeout=30)
        if frame["type"] == "error":
            raise RuntimeError(f"the server refused a message: {frame}")
        if frame["type"] == "message" and frame["message"]["seq"] == seq:
            return time.perf_counter() - started


async def _hello(socket: wsclient.WebSocket, after: int) -> None:
    await socket.send_json({"type": "hello", "after": after})
    while (await socket.receive_json())["type"] != "read":
        pass  # the catch-up (nothing: after is the last seq) ends with the read state


async def _open_sockets(port: int, pair: dict, clients: int) -> list[wsclient.WebSocket]:
    path = f"/ws/chat/{pair['id']}/"
    # Tabs alternate between the customer and the provider; sockets 0 and 1 send.
    sockets = [
        await wsclient.connect(port, path, cookie=pair["cookies"][number % 2])
        for number in range(clients)
    ]
    await asyncio.gather(*(_hello(socket, pair["last_seq"]) for socket in sockets))
    return sockets


async def _close(sockets: list[wsclient.WebSocket]) -> None:
    for socket in sockets:
        await socket.close()


async def _converse_closed(port: int, pair: dict, clients: int, latencies: list[float]) -> None:
    """The flood: the next message as soon as every client has the last."""
    sockets = await _open_sockets(port, pair, clients)
    try:
        for number in range(ROUNDS):
            seq = pair["last_seq"] + number + 1
            started = time.perf_counter()
            await sockets[number % 2].send_json({"type": "send", "body": f"Bench message {seq}"})
            latencies.extend(
                await asyncio.gather(*(_receive_seq(s, seq, started) for s in sockets))
            )
    finally:
        await _close(sockets)


async def _receive_all(socket: wsclient.WebSocket, last: int, sent_at: dict) -> list[float]:
    """Every message up to seq `last` on one socket: its time from the send, per message."""
    latencies = []
    while True:
        frame = await socket.receive_json(timeout=30)
        if frame["type"] == "error":
            raise RuntimeError(f"the server refused a message: {frame}")
        if frame["type"] == "message":
            seq = frame["message"]["seq"]
            latencies.append(time.perf_counter() - sent_at[seq])
            if seq == last:
                return latencies


async def _converse_paced(
    port: int, pair: dict, clients: int, offset: float, latencies: list[float]
) -> None:
    """One message every PACE_SECONDS, its two people alternating, from `offset` on."""
    sockets = await _open_sockets(port, pair, clients)
    first, last = pair["last_seq"] + 1, pair["last_seq"] + ROUNDS
    sent_at: dict[int, float] = {}
    receivers = [asyncio.ensure_future(_receive_all(s, last, sent_at)) for s in sockets]
    try:
        start = time.perf_counter() + offset
        for number, seq in enumerate(range(first, last + 1)):
            await asyncio.sleep(max(0.0, start + number * PACE_SECONDS - time.perf_counter()))
            sent_at[seq] = time.perf_counter()
            await sockets[number % 2].send_json({"type": "send", "body": f"Bench message {seq}"})
        for received in await asyncio.gather(*receivers):
            latencies.extend(received)
    finally:
        for receiver in receivers:
            receiver.cancel()
        await _close(sockets)


async def _scenario(port: int, pairs: list[dict], clients_each: int, *, paced: bool) -> dict:
    latencies: list[float] = []
    started = time.perf_counter()
    if paced:
        # Spread the conversations' first messages over one pace.
        offsets = [PACE_SECONDS * number / len(pairs) for number in range(len(pairs))]
        runs = [
            _converse_paced(port, pair, clients_each, offset, latencies)
            for pair, offset in zip(pairs, offsets, strict=True)
        ]
    else:
        runs = [_converse_closed(port, pair, clients_each, latencies) for pair in pairs]
    await asyncio.gather(*runs)
    seconds = time.perf_counter() - started
    messages = ROUNDS * len(pairs)
    if len(latencies) != messages * clients_each:
        raise RuntimeError(f"{len(latencies)} deliveries, not {messages * clients_each}")
    return {
        "conversations": len(pairs),
        "clients": clients_each * len(pairs),
        "paced": paced,
        "messages": messages,
        "deliveries": len(latencies),
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 2),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 2),
        "messages_per_s": round(messages / seconds, 1),
        "deliveries_per_s": round(len(latencies) / seconds, 1),
    }


def _shapes() -> list[tuple[str, int, int, bool]]:
    """(label, clients, conversations, paced) of every row, the flood last."""
    shapes = [
        (f"{name}, {clients} clients", clients, 1 if name == "one conversation" else clients // 2)
        for name, clients in SCENARIOS
    ]
    return [(*shape, True) for shape in shapes] + [
        (FLOOD, FLOOD_CLIENTS, FLOOD_CLIENTS // 2, False)
    ]


def run(log_dir: Path) -> dict[str, dict]:
    """Serve the site with one daphne on the benchmark database and run every scenario."""
    from marketplace.testing import daphne_server

    shapes = _shapes()
    all_pairs = _pairs(sum(conversations for _, _, conversations, _ in shapes))
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {"DATABASE_URL": os.environ["DATABASE_URL"]}
    results = {}
    with daphne_server(env, log_path=log_dir / "chat-daphne.log") as port:
        for label, clients, conversations, paced in shapes:
            pairs, all_pairs = all_pairs[:conversations], all_pairs[conversations:]
            print(f"Measuring chat: {label}...")
            results[label] = asyncio.run(
                _scenario(port, pairs, clients // conversations, paced=paced)
            )
    return results


def table(results: dict[str, dict]) -> str:
    lines = [
        f"Latency rows: each person at the rate limit, one message every {PACE_SECONDS} s "
        "per conversation; the flood row: closed loop, for msg/s.",
        f"{'chat scenario':<58}{'p50 ms':>9}{'p95 ms':>9}{'msg/s':>9}{'recv/s':>9}{'received':>10}",
        "-" * 104,
    ]
    for label, row in results.items():
        lines.append(
            f"{label:<58}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['messages_per_s']:>9.1f}"
            f"{row['deliveries_per_s']:>9.1f}{row['deliveries']:>10}"
        )
    return "\n".join(lines)


def scaling(results: dict[str, dict]) -> str:
    """p95 with 50 clients over p95 with 2, per shape (the aim: within 3x)."""
    lines = []
    for name, _ in SCENARIOS[::2]:
        small, large = results[f"{name}, 2 clients"], results[f"{name}, 50 clients"]
        ratio = large["p95_ms"] / max(small["p95_ms"], 1e-9)
        verdict = "within" if ratio <= 3 else "NOT within"
        lines.append(f"{name}: p95 at 50 clients / at 2 = {ratio:.2f} ({verdict} 3x)")
    return "\n".join(lines)
