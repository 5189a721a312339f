"""A small closed-loop load generator for Rasa's REST channel.

`concurrency` citizens chat at once; each sends its messages one after another and waits for the
reply, as a citizen would, starting a new conversation (a new sender id) every
`conversation_length` messages. Conversations are kept to a realistic length because a tracker
store loads the whole session on every message: a single 200-message conversation measures how
that grows, not what a citizen waits for. Latency is measured per message; throughput is messages
per second over the whole run. Only loopback addresses are ever targeted, and every loop is
bounded.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Sequence

import httpx


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


async def _citizen(
    client: httpx.AsyncClient,
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
            response = await client.post(url, json={"sender": sender, "message": text})
            ok = response.status_code == 200 and isinstance(response.json(), list)
        except httpx.HTTPError:
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
    limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency)
    cycle = list(itertools.islice(itertools.cycle(texts), messages_per_citizen))
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await client.post(url, json={"sender": "bench-warmup", "message": texts[0]})
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
