"""The chat part of `make bench`: live delivery through one daphne process.

Four scenarios, each with its own people (the per-user rate limit, 20 messages a minute, is
kept: every person sends at most ROUNDS / 2 messages a run):

- *one conversation*, N clients: N sockets on one conversation (N/2 of the customer's tabs,
  N/2 of the provider's); the two people take turns sending, and every socket must receive
  every message;
- *separate conversations*, N clients: N/2 conversations with their two people each, all
  running at the same time.

For each message: from the moment the sender's frame is written to the moment each client of
its conversation has it (the sender's own socket included). Per scenario: p50 and p95 of those
times over every client, messages per second saved and broadcast, and deliveries (frames
received) per second. A conversation sends its next message once every client has the
previous one, so these are latencies under concurrency, not a flood test.

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
ROUNDS = 30  # messages per conversation; each of its two people sends half


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


async def _converse(port: int, pair: dict, clients: int, latencies: list[float]) -> None:
    path = f"/ws/chat/{pair['id']}/"
    # Tabs alternate between the customer and the provider; sockets 0 and 1 send.
    sockets = [
        await wsclient.connect(port, path, cookie=pair["cookies"][number % 2])
        for number in range(clients)
    ]
    try:
        await asyncio.gather(*(_hello(socket, pair["last_seq"]) for socket in sockets))
        for number in range(ROUNDS):
            seq = pair["last_seq"] + number + 1
            started = time.perf_counter()
            await sockets[number % 2].send_json({"type": "send", "body": f"Bench message {seq}"})
            latencies.extend(
                await asyncio.gather(*(_receive_seq(s, seq, started) for s in sockets))
            )
    finally:
        for socket in sockets:
            await socket.close()


async def _scenario(port: int, pairs: list[dict], clients_each: int) -> dict:
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(_converse(port, pair, clients_each, latencies) for pair in pairs))
    seconds = time.perf_counter() - started
    messages = ROUNDS * len(pairs)
    return {
        "conversations": len(pairs),
        "clients": clients_each * len(pairs),
        "messages": messages,
        "deliveries": len(latencies),
        "p50_ms": round(_percentile(latencies, 0.5) * 1000, 2),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 2),
        "messages_per_s": round(messages / seconds, 1),
        "deliveries_per_s": round(len(latencies) / seconds, 1),
    }


def run(log_dir: Path) -> dict[str, dict]:
    """Serve the site with one daphne on the benchmark database and run every scenario."""
    from marketplace.testing import daphne_server

    shapes = [(name, n, 1 if name == "one conversation" else n // 2) for name, n in SCENARIOS]
    all_pairs = _pairs(sum(conversations for _, _, conversations in shapes))
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {"DATABASE_URL": os.environ["DATABASE_URL"]}
    results = {}
    with daphne_server(env, log_path=log_dir / "chat-daphne.log") as port:
        for name, clients, conversations in shapes:
            pairs, all_pairs = all_pairs[:conversations], all_pairs[conversations:]
            label = f"{name}, {clients} clients"
            print(f"Measuring chat: {label}...")
            results[label] = asyncio.run(_scenario(port, pairs, clients // conversations))
    return results


def table(results: dict[str, dict]) -> str:
    lines = [
        f"{'chat scenario':<38}{'p50 ms':>9}{'p95 ms':>9}{'msg/s':>9}{'recv/s':>9}{'received':>10}",
        "-" * 84,
    ]
    for label, row in results.items():
        lines.append(
            f"{label:<38}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['messages_per_s']:>9.1f}"
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
