"""Do other citizens still get quick answers while the web service is attacked?

Starts the stack (`--profile sqlite` or `postgres`) with the web service behind one trusted proxy
(`WEB_PROXIES_COUNT=1`), so each simulated person has an address of their own in
X-Forwarded-For. Citizens chat through the portal's relay (`/api/chat`), each from their own
address and conversation, one message after another; their reply times are measured twice: at
rest, and while one attacking address sends `--big` chat messages of 1 MB and `--logins` wrong
logins, each with a different username. The attacker is a process of its own (this file with
`--attacker URL`), as an attacker is: its client work shares the machine's cores but not the
measured citizens' event loop (in one process, 300 new HTTP clients alone held that loop for
about 7 s). Writes p50/p95 for both phases, their ratio (target: p95 under attack within 1.5x of
p95 at rest), the load average and how the attack was answered. Every loop is bounded; all
traffic is on 127.0.0.1.

    .venv/bin/python bench/bench_door.py [--profile sqlite] [--citizens 6] [--messages 15]
        [--logins 300] [--big 40] [--out FILE.json]

Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.output import write_result  # noqa: E402
from bot.localstack import start_stack  # noqa: E402
from bot.model import ensure_model  # noqa: E402

TARGET_RATIO = 1.5
MESSAGES = ("你好", "你是机器人吗", "谢谢", "再见")
ATTACKER = "10.66.0.1"
ONE_MEGABYTE = b'{"message": "' + b"a" * 1_000_000 + b'"}'


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def citizen(url: str, number: int, phase: str, messages: int) -> list[float]:
    """One person's conversation; the seconds each reply took."""
    address = {"X-Forwarded-For": f"10.{1 if phase == 'rest' else 2}.0.{number + 1}"}
    times = []
    async with httpx.AsyncClient(base_url=url, headers=address, timeout=60) as client:
        (await client.get("/api/chat")).raise_for_status()
        for index in range(messages):
            started = time.perf_counter()
            reply = await client.post("/api/chat", json={"message": MESSAGES[index % len(MESSAGES)]})
            times.append(time.perf_counter() - started)
            if reply.status_code != 200:
                raise RuntimeError(f"citizen {number} got {reply.status_code}: {reply.text[:200]}")
    return times


async def conversations(url: str, phase: str, citizens: int, messages: int) -> list[float]:
    results = await asyncio.gather(*(citizen(url, n, phase, messages) for n in range(citizens)))
    return [seconds for times in results for seconds in times]


async def attack(url: str, logins: int, big: int, answers: Counter, stop: asyncio.Event) -> None:
    """Wrong logins (each a new username, in a browser of its own) and 1 MB chat messages from
    one address. The browsers share one connection pool, as a tool driving many sessions would."""
    headers = {"X-Forwarded-For": ATTACKER}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        (await client.get("/api/chat")).raise_for_status()
        pool = httpx.AsyncHTTPTransport()

        async def login(number: int) -> None:
            browser = httpx.AsyncClient(base_url=url, headers=headers, timeout=60, transport=pool)
            page = await browser.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            data = {"username": f"guess{number}", "password": "x", "csrf_token": token and token[1]}
            answers[f"login {(await browser.post('/login', data=data)).status_code}"] += 1

        async def flood(_: int) -> None:
            try:
                sent = await client.post(
                    "/api/chat", content=ONE_MEGABYTE, headers={"Content-Type": "application/json"}
                )
                answers[f"1 MB message {sent.status_code}"] += 1
            except httpx.TransportError:
                answers["1 MB message cut off by the server (413 before the body was read)"] += 1

        every = max(1, logins // max(1, big))
        jobs = [(login, n) for n in range(logins)]
        for n in range(big):
            jobs.insert(min(len(jobs), n * (every + 1)), (flood, n))
        slots = asyncio.Semaphore(12)

        async def bounded(job, number: int) -> None:
            async with slots:
                if not stop.is_set():
                    await job(number)

        try:
            await asyncio.gather(*(bounded(job, number) for job, number in jobs))
        finally:
            await pool.aclose()


async def attacker(url: str, logins: int, big: int) -> None:
    """The attacker as a program of its own (`--attacker URL`): says `ready`, attacks until done
    or until a line arrives on stdin, then prints how it was answered as JSON."""
    answers: Counter = Counter()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(sys.stdin.fileno(), stop.set)
    print("ready", flush=True)
    await attack(url, logins, big, answers, stop)
    print(json.dumps(dict(answers)), flush=True)


async def start_attacker(url: str, logins: int, big: int) -> asyncio.subprocess.Process:
    """The attack in another process, so its client work never delays the citizens' event loop
    (an attacker does not share the measured citizens' process); it still shares the machine."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--attacker", url, "--logins", str(logins), "--big", str(big),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    assert (await process.stdout.readline()).strip() == b"ready"
    return process


async def stop_attacker(process: asyncio.subprocess.Process) -> dict[str, int]:
    process.stdin.write(b"stop\n")
    await process.stdin.drain()
    output, _ = await process.communicate()
    return json.loads(output.decode().strip().splitlines()[-1])


async def measure(url: str, args: argparse.Namespace) -> dict:
    await conversations(url, "warm", 1, len(MESSAGES))
    rest = await conversations(url, "rest", args.citizens, args.messages)
    attacking = await start_attacker(url, args.logins, args.big)
    started = time.monotonic()
    busy = await conversations(url, "attack", args.citizens, args.messages)
    answers = await stop_attacker(attacking)
    rest_p95, busy_p95 = percentile(rest, 0.95), percentile(busy, 0.95)
    return {
        "citizens": args.citizens,
        "replies_per_phase": len(rest),
        "at_rest_ms": {"p50": round(statistics.median(rest) * 1000, 1), "p95": round(rest_p95 * 1000, 1)},
        "under_attack_ms": {"p50": round(statistics.median(busy) * 1000, 1), "p95": round(busy_p95 * 1000, 1)},
        "p95_ratio": round(busy_p95 / rest_p95, 2),
        "target_ratio": TARGET_RATIO,
        "attack": {"logins": args.logins, "one_megabyte_messages": args.big, "answers": answers},
        "attack_phase_seconds": round(time.monotonic() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--citizens", type=int, default=6)
    parser.add_argument("--messages", type=int, default=15, help="per citizen and phase (< 20)")
    parser.add_argument("--logins", type=int, default=300)
    parser.add_argument("--big", type=int, default=40)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "door.json"))
    parser.add_argument("--attacker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attacker:
        asyncio.run(attacker(args.attacker, args.logins, args.big))
        return 0
    ensure_model()
    stack = start_stack(args.profile, Path(tempfile.mkdtemp(prefix="bench-door-")), proxies_count=1)
    try:
        result = {
            "profile": args.profile,
            "load_average_at_start": round(os.getloadavg()[0], 2),
            **asyncio.run(measure(stack.web_url, args)),
        }
    finally:
        stack.stop()
    write_result(args.out, result)
    return 0 if result["p95_ratio"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
