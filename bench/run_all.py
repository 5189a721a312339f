"""`make bench`: run every benchmark and gather their results with the machine in one file.

Each benchmark is its own script writing JSON to bench/results/<name>.json; this runs them one
after another (never in parallel: they would disturb each other's timings) and writes
`bench/results.json`. `python -m bench.run_all kb routing` runs only the ones named.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCHES = {
    "chat": ["-m", "bench.bench_chat"],
    "kb": ["bench/bench_kb.py"],
    "routing": ["bench/bench_routing.py"],
    "consultation": ["bench/bench_consultation.py"],
    "inbox": ["bench/bench_inbox.py"],
}


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%d"),
    }


def run(name: str, args: list[str]) -> dict:
    out = RESULTS / f"{name}.json"
    started = time.monotonic()
    subprocess.run(
        [sys.executable, *args, "--out", str(out)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    result = json.loads(out.read_text())
    result["_seconds"] = round(time.monotonic() - started, 1)
    return result


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    only = sys.argv[1:] or list(BENCHES)
    report = {"machine": machine(), "results": {}}
    for name in only:
        print(f"== {name}", flush=True)
        report["results"][name] = run(name, BENCHES[name])
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    )
    print(json.dumps(report["machine"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
