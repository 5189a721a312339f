"""Reply latency under a citizen's real mix of messages, beside stock `rasa init` and the
greetings-only figure, measured in one run on this machine.

Our citizens go through the door the portal uses (`/api/chat` on the web service, each
conversation with its signed cookie) and each comes from an address of its own, told to the web
service in X-Forwarded-For as a trusted proxy would (`WEB_PROXIES_COUNT=1`, as behind nginx), so
the per-address limits count people, not the load generator. Their scripts, each a new
conversation: a greeting; a policy question and a follow-up; a complaint through the whole form to
a ticket and its status check; an opinion on an open draft to its receipt; a hand-over request.
Every reply is checked (see bench/soak.py). The stock assistant and the greetings-only figure are
measured through Rasa's REST channel as `bench.bench_chat` does. For our mixed load the CPU time
of each service is read from /proc and reported per message.

Usage: python -m bench.bench_mixed [--profiles sqlite,postgres] [--seconds 60] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Optional

import aiohttp

from bench.bench_chat import CONVERSATION_LENGTH, OURS_SIMPLE, _ratio, bench_stock
from bench.cpu import per_message, service_groups, services_cpu, wait_until_idle
from bench.load import LoadResult, client_session, post_json, run_load
from bench.output import write_result
from bench.soak import REQUEST_TIMEOUT, Soak, steps_summary
from bot.consultation import local_date, open_drafts
from bot.db import Database, utcnow
from bot.localstack import start_stack
from bot.web.identity import COOKIE

FOLLOW_UPS = ["具体是哪一条？", "还有效吗？"]


class PortalRun(Soak):
    """The soak's checked scripts, sent through the portal's chat relay, plus the policy
    follow-up and the hand-over request."""

    web_url: str = ""
    cookies: dict[str, str]
    addresses: dict[str, str]

    async def send(
        self, client: aiohttp.ClientSession, sender: str, text: str
    ) -> tuple[int, bytes]:
        if sender not in self.addresses:
            number = len(self.addresses) + 1
            self.addresses[sender] = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
        headers = {"X-Forwarded-For": self.addresses[sender]}
        if sender not in self.cookies:
            async with client.get(f"{self.web_url}/api/chat", headers=headers) as opened:
                opened.raise_for_status()
                self.cookies[sender] = opened.cookies[COOKIE].value
        return await post_json(
            client,
            f"{self.web_url}/api/chat",
            {"message": text},
            {**headers, "Cookie": f"{COOKIE}={self.cookies[sender]}"},
        )

    def replies(self, body: object) -> Optional[list]:
        return body.get("messages") if isinstance(body, dict) else None

    async def policy_followup(self, client: aiohttp.ClientSession, sender: str, n: int) -> None:
        await self.policy(client, sender, n)
        await self.step(client, sender, FOLLOW_UPS[n % len(FOLLOW_UPS)], "", "policy follow-up")

    async def handover(self, client: aiohttp.ClientSession, sender: str, n: int) -> None:
        await self.step(client, sender, "你好", "政策", "greeting")
        await self.step(client, sender, "转人工", "人工", "hand-over")

    def repertoire(self):
        return [*super().repertoire(), self.policy_followup, self.handover]


async def mixed_load(web_url: str, db: Database, conversations: int, seconds: float) -> PortalRun:
    """`conversations` citizens through the chat relay at `web_url` for `seconds`."""
    assert web_url.startswith("http://127."), "loopback only"
    with db.session() as session:
        drafts = open_drafts(session, local_date(utcnow()))
    run = PortalRun(
        url="",
        deadline=0.0,
        opinion_draft=drafts[0].title if drafts else None,
        load=LoadResult(conversations, 0, 0, 0.0),
    )
    run.web_url, run.cookies, run.addresses = web_url, {}, {}
    async with client_session(conversations + 4, REQUEST_TIMEOUT) as client:
        await run.say(client, "warmup", "你好")
        run.load = LoadResult(conversations, 0, 0, 0.0)
        run.by_step.clear()
        started = time.monotonic()
        run.deadline = started + seconds
        citizens = asyncio.gather(*(run.citizen(client, i) for i in range(conversations)))
        await asyncio.wait_for(citizens, timeout=seconds + 10 * REQUEST_TIMEOUT)
        run.load.seconds = time.monotonic() - started
    run.load.errors = sum(run.errors.values())
    return run


def mixed_summary(run: PortalRun) -> dict:
    return {
        **run.load.summary(),
        "errors_by_kind": dict(run.errors),
        "scripts": dict(run.scripts),
        "steps": steps_summary(run.by_step, run.load.latencies_ms),
        "error_samples": run.error_samples[:5],
    }


def bench_profile(profile: str, seconds: float, messages: int) -> dict:
    """Greetings-only through REST, then the mixed load through the portal at 1 and at 32."""
    started = time.monotonic()
    stack = start_stack(
        profile, Path(tempfile.mkdtemp(prefix=f"bench-mixed-{profile}-")), proxies_count=1
    )
    ready = time.monotonic() - started
    groups = service_groups(stack.supervisor)
    settled = wait_until_idle(groups)
    try:
        simple_one = asyncio.run(
            run_load(stack.rasa_url, OURS_SIMPLE, 1, messages, CONVERSATION_LENGTH)
        )
        simple_many = asyncio.run(
            run_load(stack.rasa_url, OURS_SIMPLE, 32, max(4, messages // 8), CONVERSATION_LENGTH)
        )
        one = asyncio.run(mixed_load(stack.web_url, stack.db, 1, seconds / 2))
        before = services_cpu(groups)
        many = asyncio.run(mixed_load(stack.web_url, stack.db, 32, seconds))
        cpu = per_message(before, services_cpu(groups), many.load.messages, {})
    finally:
        stack.stop()
    return {
        "ready_s": round(ready, 1),
        "settled_s": round(settled, 1),
        "greetings": {"c1": simple_one.summary(), "c32": simple_many.summary()},
        "mixed": {"c1": mixed_summary(one), "c32": mixed_summary(many)},
        "cpu_ms_per_message_c32": cpu,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", default="sqlite,postgres")
    parser.add_argument("--seconds", type=float, default=60, help="mixed load at 32 (half at 1)")
    parser.add_argument("--messages", type=int, default=120, help="greetings at concurrency 1")
    parser.add_argument("--out", default="bench/results/mixed.json")
    args = parser.parse_args()
    stock = bench_stock(args.messages)
    report: dict = {"stock_greetings": stock, "ratios": {}}
    for profile in args.profiles.split(","):
        ours = bench_profile(profile, args.seconds, args.messages)
        report[profile] = ours
        for load in ("c1", "c32"):
            report["ratios"][f"{profile}_mixed_p95_{load}_vs_stock"] = _ratio(
                ours["mixed"][load]["p95_ms"], stock[load]["p95_ms"]
            )
            report["ratios"][f"{profile}_greetings_p95_{load}_vs_stock"] = _ratio(
                ours["greetings"][load]["p95_ms"], stock[load]["p95_ms"]
            )
    write_result(args.out, report)
    print()
    errors = sum(
        report[p]["mixed"][c]["errors"] for p in args.profiles.split(",") for c in ("c1", "c32")
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
