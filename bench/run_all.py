"""`make bench`: run every benchmark and gather their results with the machine in one file.

Each benchmark is its own script writing JSON to bench/results/<name>.json; this runs them one
after another (never in parallel: they would disturb each other's timings) and writes
`bench/results.json`, then the README's measurements table from it (`bench/report.py`).
`python -m bench.run_all kb routing` runs only the ones named and keeps the others' last results.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.report import render, update_readme

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCHES = {
    "accuracy": ["bench/bench_accuracy.py"],
    "chat": ["-m", "bench.bench_chat"],
    "mixed": ["-m", "bench.bench_mixed"],
    "instances": ["-m", "bench.bench_instances"],
    "kb": ["bench/bench_kb.py"],
    "library": ["bench/bench_library.py"],
    "routing": ["bench/bench_routing.py"],
    "consultation": ["bench/bench_consultation.py"],
    "inbox": ["bench/bench_inbox.py"],
    "door": ["bench/bench_door.py"],
    "disclosure_report": ["bench/bench_disclosure_report.py"],
    "hotspots": ["bench/bench_hotspots.py"],
    "scorecard": ["bench/bench_scorecard.py"],
    "soak": ["bench/soak.py"],
    "soak_paced": ["bench/soak.py", "--think", "4"],
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
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "date": time.strftime("%Y-%m-%d"),
    }


def run(name: str, args: list[str]) -> dict:
    """One benchmark's results; `_exit` is its exit code (non-zero: it missed a target)."""
    out = RESULTS / f"{name}.json"
    out.unlink(missing_ok=True)
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, *args, "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    if not out.exists():
        raise RuntimeError(f"benchmark {name} wrote no results (exit {finished.returncode})")
    result = json.loads(out.read_text())
    result["_seconds"] = round(time.monotonic() - started, 1)
    result["_exit"] = finished.returncode
    return result


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    only = sys.argv[1:] or list(BENCHES)
    unknown = set(only) - set(BENCHES)
    if unknown:
        print(f"unknown benchmarks: {', '.join(sorted(unknown))}; known: {', '.join(BENCHES)}")
        return 2
    path = ROOT / "bench" / "results.json"
    previous = json.loads(path.read_text()).get("results", {}) if path.exists() else {}
    report = {"machine": machine(), "results": previous}
    for name in only:
        print(f"== {name}", flush=True)
        report["results"][name] = run(name, BENCHES[name])
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    update_readme(ROOT / "README.md", render(report))
    print(json.dumps(report["machine"], ensure_ascii=False))
    missed = [name for name in only if report["results"][name]["_exit"]]
    if missed:
        print(f"missed a target: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
