"""A small closed-loop load generator for Rasa's REST channel.

`concurrency` citizens chat at once; each sends its messages one after another and waits for the
reply, as a citizen would, starting a new conversation (a new sender id) every
`conversation_length` messages. Conversations are kept to a realistic length because a tracker
store loads the whole session on every message: a single 200-message conversation measures how
that grows, not what a citizen waits for. Latency is measured per message; throughput is messages
per second over the whole run. Only loopback addresses are ever targeted, and every loop is
bounded.

The load generator runs on the same cores as the services it measures, so its own CPU per
message is part of every figure: it uses aiohttp with kept connections (the mixed load's client
went from 3.9 ms of CPU per message with httpx to 0.6, bench/PROFILE.md), reused at most
`KEEPALIVE_SECONDS` idle (under Sanic's 5 s keep-alive).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional, Sequence

import aiohttp

from bot.channels.rasa_client import KEEPALIVE_SECONDS


@dataclass
class LoadResult:
    concurrency: int
    messages: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict:
        return {
            "concurrency": self.concurrency,
            "messages": self.messages,
            "errors": self.errors,
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "throughput_msg_s": round(self.messages / self.seconds, 1) if self.seconds else None,
        }


def client_session(connections: int, timeout: float) -> aiohttp.ClientSession:
    """One HTTP client for many simulated citizens: `connections` kept connections, no cookie
    jar (each request carries its own citizen's cookie, if any)."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout),
        connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=KEEPALIVE_SECONDS),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


async def post_json(
    client: aiohttp.ClientSession, url: str, body: dict, headers: Optional[dict] = None
) -> tuple[int, bytes]:
    """POST `body` as JSON: the status and the response's body."""
    async with client.post(url, json=body, headers=headers) as response:
        return response.status, await response.read()


async def _citizen(
    client: aiohttp.ClientSession,
    url: str,
    texts: Sequence[str],
    conversation_length: int,
    result: LoadResult,
    deadline: float,
) -> None:
    for index, text in enumerate(texts):
        if time.monotonic() > deadline:
            return
        if index % conversation_length == 0:
            sender = f"bench-{uuid.uuid4().hex[:12]}"
        started = time.perf_counter()
        try:
            status, body = await post_json(client, url, {"sender": sender, "message": text})
            ok = status == 200 and isinstance(json.loads(body), list)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        result.messages += 1
        if ok:
            result.latencies_ms.append(elapsed)
        else:
            result.errors += 1


async def run_load(
    base_url: str,
    texts: Sequence[str],
    concurrency: int,
    messages_per_citizen: int,
    conversation_length: int = 10,
    max_seconds: float = 300,
) -> LoadResult:
    """Drive `concurrency` citizens sending `messages_per_citizen` messages each."""
    assert base_url.startswith(("http://127.", "http://localhost")), "loopback only"
    url = f"{base_url}/webhooks/rest/webhook"
    result = LoadResult(concurrency, 0, 0, 0.0)
    cycle = list(itertools.islice(itertools.cycle(texts), messages_per_citizen))
    async with client_session(concurrency + 4, 60) as client:
        await post_json(client, url, {"sender": "bench-warmup", "message": texts[0]})
        started = time.monotonic()
        deadline = started + max_seconds
        await asyncio.gather(
            *(
                _citizen(client, url, cycle, conversation_length, result, deadline)
                for _ in range(concurrency)
            )
        )
        result.seconds = time.monotonic() - started
    return result
