"""Per-message latency and throughput through Rasa's REST channel, ours against stock `rasa init`.

Runs, one after another on this machine: the stock assistant (in-memory tracker, its default
pipeline), our assistant on SQLite (what `make run` starts) and our production profile
(PostgreSQL tracker store, Redis lock store, several Rasa workers). Each is measured at 1 and at
32 concurrent conversations with the same simple message kinds (greeting, thanks, bot challenge,
goodbye), each conversation `CONVERSATION_LENGTH` messages long, and ratios against the stock
assistant are reported. Usage: python -m bench.bench_chat [--messages N] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench.load import run_load
from bench.output import write_result
from bench.stock import BIN, stock_project
from bot.localstack import free_port, start_stack
from bot.runner import Service, Supervisor

OURS_SIMPLE = ["你好", "谢谢", "你是机器人吗", "再见"]
STOCK_SIMPLE = ["hello", "thanks", "are you a bot?", "bye"]
CONVERSATION_LENGTH = 10


def measure(base_url: str, texts: list[str], messages: int) -> dict:
    one = asyncio.run(run_load(base_url, texts, 1, messages, CONVERSATION_LENGTH))
    many = asyncio.run(run_load(base_url, texts, 32, max(4, messages // 8), CONVERSATION_LENGTH))
    return {"c1": one.summary(), "c32": many.summary()}


def bench_stock(messages: int) -> dict:
    folder, model, trained = stock_project()
    port = free_port()
    stock = Service(
        "stock-rasa",
        [str(BIN / "rasa"), "run", "--port", str(port), "--model", str(model)],
        f"http://127.0.0.1:{port}/",
        {"TF_CPP_MIN_LOG_LEVEL": "2"},
        cwd=folder,
    )
    supervisor = Supervisor([stock], Path(tempfile.mkdtemp(prefix="bench-stock-")))
    started = time.monotonic()
    supervisor.start(timeout=180)
    ready = time.monotonic() - started
    try:
        result = measure(f"http://127.0.0.1:{port}", STOCK_SIMPLE, messages)
    finally:
        supervisor.stop()
    return {**result, "ready_s": round(ready, 1), "training_s": round(trained, 1) or None}


def bench_ours(profile: str, messages: int) -> dict:
    started = time.monotonic()
    stack = start_stack(profile, Path(tempfile.mkdtemp(prefix=f"bench-{profile}-")))
    ready = time.monotonic() - started
    try:
        result = measure(stack.rasa_url, OURS_SIMPLE, messages)
    finally:
        stack.stop()
    return {**result, "ready_s": round(ready, 1)}


def _ratio(ours: float, stock: float) -> float:
    return round(ours / stock, 2) if stock else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200, help="messages at concurrency 1")
    parser.add_argument("--out", default="bench/results/chat.json")
    args = parser.parse_args()
    stock = bench_stock(args.messages)
    dev = bench_ours("sqlite", args.messages)
    production = bench_ours("postgres", args.messages)
    report = {
        "conversation_length": CONVERSATION_LENGTH,
        "stock": stock,
        "ours_sqlite": dev,
        "ours_production": production,
        "ratios": {
            "sqlite_p95_c1_vs_stock": _ratio(dev["c1"]["p95_ms"], stock["c1"]["p95_ms"]),
            "sqlite_p95_c32_vs_stock": _ratio(dev["c32"]["p95_ms"], stock["c32"]["p95_ms"]),
            "production_p95_c1_vs_stock": _ratio(production["c1"]["p95_ms"], stock["c1"]["p95_ms"]),
            "production_p95_c32_vs_stock": _ratio(
                production["c32"]["p95_ms"], stock["c32"]["p95_ms"]
            ),
            "production_throughput_c32_vs_stock": _ratio(
                production["c32"]["throughput_msg_s"], stock["c32"]["throughput_msg_s"]
            ),
        },
    }
    write_result(args.out, report)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
