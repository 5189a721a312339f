"""Routing latency: `Router.route` over the texts of the routing evaluation set.

    python bench/bench_routing.py [--rounds 20] [--eval knowledge/eval/routing.yml]
                                  [--out bench/results/routing.json]

Each round routes every evaluation text once (after one warm-up round); p50/p95/p99/max are over
all calls. The target is p95 < 5 ms. Wall and CPU times are both reported: the machine may be
shared, and CPU time shows what the code costs when it has a core to itself. Also reported: the
time to build the router (loading the YAML files and training the models) and the time of one
5,000-character text, the longest a chat may send.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.output import write_result  # noqa: E402
from bot.tickets.evaluation import REFERENCE_TIME, load_cases  # noqa: E402
from bot.tickets.routing import Router  # noqa: E402


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def summary(milliseconds: list[float]) -> dict[str, float]:
    ordered = sorted(milliseconds)
    return {
        "p50_ms": round(percentile(ordered, 0.50), 3),
        "p95_ms": round(percentile(ordered, 0.95), 3),
        "p99_ms": round(percentile(ordered, 0.99), 3),
        "max_ms": round(ordered[-1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--eval", default=str(ROOT / "knowledge" / "eval" / "routing.yml"))
    parser.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "routing.json"))
    args = parser.parse_args()

    started = time.perf_counter()
    router = Router.build(args.knowledge)
    build_s = time.perf_counter() - started

    texts = [str(case["text"]) for case in load_cases(Path(args.eval))]
    for text in texts:
        router.route(text, now=REFERENCE_TIME)

    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            router.route(text, now=REFERENCE_TIME)
            cpu.append((time.process_time() - cpu_start) * 1000)
            wall.append((time.perf_counter() - wall_start) * 1000)

    long_text = ("楼下饭店油烟扰民，" * 600)[:5000]
    long_start = time.perf_counter()
    router.route(long_text, now=REFERENCE_TIME)
    long_ms = (time.perf_counter() - long_start) * 1000

    result = {
        "benchmark": "routing",
        "texts": len(texts),
        "calls": len(wall),
        "wall": summary(wall),
        "cpu": summary(cpu),
        "build_router_s": round(build_s, 3),
        "text_5000_chars_ms": round(long_ms, 3),
        "target_p95_ms": 5.0,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
