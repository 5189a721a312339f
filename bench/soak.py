"""Soak: the production profile under many citizens at once for minutes, then a ticket audit.

Each of `--conversations` simulated citizens loops through realistic scripts, with a new sender id
per script: a greeting, a policy question, a complaint filed as a ticket and then a status check,
and an opinion on a draft open for comment (when one is). Every reply is checked for what that
step must say. An error is a non-200 answer, an empty reply or the channel's apology, a reply
without what the step must say, an exception or a timeout. At the end, every ticket number (and
opinion receipt) confirmed to a citizen must be stored exactly once, for that citizen, and the
throw-away database must hold no other ticket. Exits 1 on any error or mismatch.

`--think S` paces citizens as people type: before each message a citizen pauses a time drawn
evenly between 0.5 S and 1.5 S (seeded per citizen). With 0 (the default) each citizen sends its
next message the moment the last reply arrives: a closed loop that measures throughput, where the
mean reply time is the number of conversations divided by the throughput (Little's law).
Usage: python bench/soak.py [--minutes M] [--conversations N] [--think S] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable, Optional, Union

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.cpu import (  # noqa: E402
    per_message,
    service_groups,
    services_cpu,
    wait_until_idle,
)
from bench.load import LoadResult, client_session, post_json  # noqa: E402
from bench.output import write_result  # noqa: E402
from bot.channels.rest import APOLOGY  # noqa: E402
from bot.consultation import local_date, open_drafts  # noqa: E402
from bot.consultation.models import Opinion  # noqa: E402
from bot.db import utcnow  # noqa: E402
from bot.localstack import LocalStack, start_stack  # noqa: E402
from bot.tickets.models import Ticket  # noqa: E402

REQUEST_TIMEOUT = 30.0
ERROR_SAMPLES = 20
TICKET_NO = re.compile(r"工单号：(ZS\d{8}-\d{4})")
RECEIPT_NO = re.compile(r"回执号 (YJ\d{8}-\d{4})")
POLICY_QUESTIONS = [
    "政策文件出台以后，解读材料要多久之内发布？",
    "一把手要不要亲自出来讲政策",
    "政务公开工作年度报告要公布吗",
    "新政策出台了谁来负责讲解",
]
PLACES = ["定海区解放路", "普陀区东港街道海华路", "岱山县高亭镇", "嵊泗县菜园镇"]
PROBLEMS = [
    "的工地昨天半夜还在打桩施工，噪音太大吵得睡不着",
    "路边的下水道堵了三天了，污水都漫到路上",
    "小区门口的路灯坏了一个多月，晚上黑漆漆的",
    "菜市场门口天天有人占道摆摊，车都过不去",
    "的公交站站牌被撞坏了好几天，一直没人修",
]
OPINIONS = [
    "建议在正式实施前多开几场座谈会，听取基层群众和经营户的意见。",
    "条文里的时间节点写得不够具体，建议明确到月份，方便群众监督。",
    "希望实施后一年内做一次评估，把评估结果向社会公开。",
]

Expectation = Union[str, re.Pattern]


class StepFailed(Exception):
    """A reply that ends the script: counted as an error of `kind`."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def steps_summary(by_step: dict[str, list[float]], latencies: list[float]) -> dict[str, dict]:
    """Each step's count, p50 and p95, and its share of the slow messages (those above the run's
    p95): where the tail comes from."""
    if not latencies:
        return {}
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    slow = sum(1 for value in latencies if value > p95) or 1
    summary = {}
    for name, values in sorted(by_step.items(), key=lambda item: -statistics.fmean(item[1])):
        values = sorted(values)
        summary[name] = {
            "n": len(values),
            "p50_ms": round(values[len(values) // 2], 1),
            "p95_ms": round(values[min(len(values) - 1, max(0, round(0.95 * len(values)) - 1))], 1),
            "share_of_slow": round(sum(1 for value in values if value > p95) / slow, 2),
        }
    return summary


@dataclass
class Soak:
    """One soak run: the citizens' scripts, and what they were told and what failed."""

    url: str
    deadline: float
    opinion_draft: Optional[str]
    load: LoadResult
    errors: Counter = field(default_factory=Counter)
    error_samples: list[dict] = field(default_factory=list)
    scripts: Counter = field(default_factory=Counter)
    tickets: dict[str, str] = field(default_factory=dict)
    """Ticket number confirmed to a citizen → that citizen's sender id."""
    receipts: dict[str, str] = field(default_factory=dict)
    think: float = 0.0
    """Mean pause before each message, in seconds (0: none)."""
    pauses: dict[str, random.Random] = field(default_factory=dict)
    by_step: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """Each answered message's latency (ms) under the name of its step ("complaint: confirm")."""

    async def say(self, client: aiohttp.ClientSession, sender: str, text: str, name: str = "") -> str:
        """Send one message (after the citizen's typing pause); the replies' text, or StepFailed."""
        if self.think:
            pace = self.pauses.setdefault(sender.rsplit("-", 1)[0], random.Random(sender))
            await asyncio.sleep(self.think * pace.uniform(0.5, 1.5))
        started = time.perf_counter()
        self.load.messages += 1
        try:
            status, body = await self.send(client, sender, text)
            replies = self.replies(json.loads(body)) if status == 200 else None
        except asyncio.TimeoutError as error:
            raise StepFailed("timeout", repr(error)) from error
        except (aiohttp.ClientError, ValueError) as error:
            raise StepFailed("exception", repr(error)) from error
        if not isinstance(replies, list):
            raise StepFailed("http", f"{status} {body[:400].decode(errors='replace')}")
        texts = "\n".join(r.get("text") or "" for r in replies if isinstance(r, dict))
        if not replies or not texts:
            raise StepFailed("empty", json.dumps(replies, ensure_ascii=False)[:200])
        if APOLOGY in texts:
            raise StepFailed("apology", texts[:200])
        elapsed = (time.perf_counter() - started) * 1000
        self.load.latencies_ms.append(elapsed)
        self.by_step[name or text[:12]].append(elapsed)
        return texts

    async def send(
        self, client: aiohttp.ClientSession, sender: str, text: str
    ) -> tuple[int, bytes]:
        """One message through Rasa's REST channel: the status and the body (the replies)."""
        return await post_json(client, self.url, {"sender": sender, "message": text})

    def replies(self, body: object) -> Optional[list]:
        """The bot's messages in a 200 answer's JSON: Rasa's REST channel answers with the list."""
        return body if isinstance(body, list) else None

    async def step(
        self, client: aiohttp.ClientSession, sender: str, text: str, expect: Expectation, name: str = ""
    ) -> str:
        """`say`, then check the reply: the first group of a pattern, or the reply itself."""
        reply = await self.say(client, sender, text, name)
        if isinstance(expect, str):
            if expect not in reply:
                raise StepFailed("unexpected", f"{text!r} → {reply[:200]!r}, wanted {expect!r}")
            return reply
        match = expect.search(reply)
        if match is None:
            raise StepFailed("unexpected", f"{text!r} → {reply[:200]!r}, wanted {expect.pattern}")
        return match.group(1)

    async def greeting(self, client: aiohttp.ClientSession, sender: str, n: int) -> None:
        await self.step(client, sender, "你好", "政策", "greeting")

    async def policy(self, client: aiohttp.ClientSession, sender: str, n: int) -> None:
        await self.step(client, sender, POLICY_QUESTIONS[n % len(POLICY_QUESTIONS)], "来源", "policy question")

    async def complaint(self, client: aiohttp.ClientSession, sender: str, n: int) -> None:
        place, problem = PLACES[n % len(PLACES)], PROBLEMS[n // len(PLACES) % len(PROBLEMS)]
        await self.step(client, sender, place + problem, "手机号", "complaint: the problem")
        await self.step(client, sender, f"139{n:08d}", "请确认", "complaint: phone")
        number = await self.step(client, sender, "/affirm", TICKET_NO, "complaint: confirm → ticket")
        self.tickets[number] = sender
        await self.step(client, sender, "我的工单处理得怎么样了", number, "status check")

    async def opinion(self, client: aiohttp.ClientSession, sender: str, n: int) -> None:
        await self.step(client, sender, f"我想对{self.opinion_draft}提点意见", "哪一条", "opinion: the draft")
        await self.step(client, sender, "整体", "意见和理由", "opinion: clause")
        await self.step(client, sender, OPINIONS[n % len(OPINIONS)], "姓名", "opinion: the text")
        await self.step(client, sender, "不用", "请确认", "opinion: name")
        self.receipts[await self.step(client, sender, "/affirm", RECEIPT_NO, "opinion: confirm → receipt")] = sender

    def repertoire(self) -> list[Callable[[aiohttp.ClientSession, str, int], Awaitable[None]]]:
        scripts = [self.greeting, self.policy, self.complaint]
        if self.opinion_draft:
            scripts.append(self.opinion)
        return scripts

    async def citizen(self, client: aiohttp.ClientSession, index: int) -> None:
        """One simulated citizen: scripts one after another, each as a new conversation."""
        scripts = self.repertoire()
        for turn in itertools.count(index):
            if time.monotonic() >= self.deadline:
                return
            script = scripts[turn % len(scripts)]
            self.scripts[script.__name__] += 1
            ordinal = self.scripts[script.__name__]
            sender = f"soak-{script.__name__}-{ordinal:06d}-{uuid.uuid4().hex[:6]}"
            try:
                await script(client, sender, ordinal)
            except StepFailed as failure:
                self.errors[failure.kind] += 1
                if len(self.error_samples) < ERROR_SAMPLES:
                    self.error_samples.append(
                        {"sender": sender, "kind": failure.kind, "detail": failure.detail}
                    )


def audit(stack: LocalStack, confirmed: dict[str, str], receipts: dict[str, str]) -> dict:
    """Compare what citizens were told with what the database holds."""
    with stack.db.session() as session:
        tickets = session.execute(select(Ticket.number, Ticket.sender_id)).all()
        per_sender = Counter(sender for _, sender in tickets)
        opinions = session.execute(
            select(Opinion.receipt_no, Opinion.sender_id).where(Opinion.sender_id.like("soak-%"))
        ).all()
        all_tickets = session.execute(select(func.count()).select_from(Ticket)).scalar()
    stored = dict(tickets)
    return {
        "tickets_confirmed": len(confirmed),
        "tickets_stored": all_tickets,
        "duplicates": sum(count - 1 for count in per_sender.values() if count > 1),
        "confirmed_not_stored": sorted(n for n, s in confirmed.items() if stored.get(n) != s),
        "stored_not_confirmed": sorted(n for n in stored if n not in confirmed),
        "opinions_confirmed": len(receipts),
        "opinions_stored": len(opinions),
        "opinions_mismatched": sorted(set(dict(opinions).items()) ^ set(receipts.items())),
    }


async def soak(stack: LocalStack, minutes: float, conversations: int, think: float = 0.0) -> Soak:
    """Run the citizens until `minutes` have passed; each finishes the script it is in."""
    assert stack.rasa_url.startswith("http://127."), "loopback only"
    with stack.db.session() as session:
        drafts = open_drafts(session, local_date(utcnow()))
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    async with client_session(conversations + 4, REQUEST_TIMEOUT) as client:
        await post_json(client, url, {"sender": "soak-warmup", "message": "你好"})
        started = time.monotonic()
        run = Soak(
            url=url,
            deadline=started + minutes * 60,
            opinion_draft=drafts[0].title if drafts else None,
            load=LoadResult(conversations, 0, 0, 0.0),
            think=think,
        )
        citizens = asyncio.gather(*(run.citizen(client, i) for i in range(conversations)))
        await asyncio.wait_for(citizens, timeout=minutes * 60 + 10 * REQUEST_TIMEOUT)
    run.load.seconds = time.monotonic() - started
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--conversations", type=int, default=32)
    parser.add_argument("--think", type=float, default=0.0, help="mean typing pause, seconds")
    parser.add_argument("--out", default="bench/results/soak.json")
    args = parser.parse_args()
    stack = start_stack("postgres", Path(tempfile.mkdtemp(prefix="bench-soak-")))
    try:
        groups = service_groups(stack.supervisor)
        wait_until_idle(groups)
        before = services_cpu(groups)
        run = asyncio.run(soak(stack, args.minutes, args.conversations, args.think))
        cpu = per_message(before, services_cpu(groups), run.load.messages, {})
        checks = audit(stack, run.tickets, run.receipts)
    finally:
        stack.stop()
    summary = run.load.summary()
    report = {
        "minutes": args.minutes,
        "conversations": args.conversations,
        "think_seconds": args.think,
        "seconds": round(run.load.seconds, 1),
        "messages": summary["messages"],
        "errors": sum(run.errors.values()),
        "errors_by_kind": dict(run.errors),
        "scripts": dict(run.scripts),
        **checks,
        "p50_ms": summary["p50_ms"],
        "p95_ms": summary["p95_ms"],
        "p99_ms": summary["p99_ms"],
        "mean_ms": summary["mean_ms"],
        "throughput_msg_s": summary["throughput_msg_s"],
        "steps": steps_summary(run.by_step, run.load.latencies_ms),
        "cpu_ms_per_message": cpu,
        "opinion_draft": run.opinion_draft,
        "load_average_at_end": os.getloadavg()[0],
        "error_samples": run.error_samples,
    }
    write_result(args.out, report)
    print()
    mismatch = (
        report["tickets_confirmed"] != report["tickets_stored"]
        or report["duplicates"]
        or report["confirmed_not_stored"]
        or report["stored_not_confirmed"]
        or report["opinions_mismatched"]
    )
    return 1 if report["errors"] or mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
