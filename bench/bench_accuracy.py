"""Accuracy figures for the README: NLU, policy Q&A and routing, each on its labelled files.

Runs the project's own evaluation commands (`python -m bot eval …`) with `--json`, so the figures
in the README are exactly what those commands print. Usage:
    python bench/bench_accuracy.py [--out bench/results/accuracy.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.output import write_result  # noqa: E402

EVALUATIONS = {
    "nlu_holdout": ["nlu", "tests/data/nlu_holdout.yml"],
    "nlu_holdout2": ["nlu", "tests/data/nlu_holdout2.yml"],
    # the rules' sets whose questions are among its asked questions (问法) are measured without
    # their own (`--leave-out`): leave-one-writer-out
    "policy_qa": ["qa", "knowledge/eval/policy_qa.yml", "--leave-out", "policy_qa"],
    "rules_qa_unseen": [
        "qa", "knowledge/eval/rules_qa_unseen/questions.yml", "--leave-out", "rules_qa_unseen"
    ],
    "rules_qa_unseen2": [
        "qa", "knowledge/eval/rules_qa_unseen2/questions.yml", "--leave-out", "rules_qa_unseen2"
    ],
    "rules_qa_unseen3": [
        "qa", "knowledge/eval/rules_qa_unseen3/questions.yml", "--leave-out", "rules_qa_unseen3"
    ],
    "rules_qa_unseen4": [
        "qa", "knowledge/eval/rules_qa_unseen4/questions.yml", "--leave-out", "rules_qa_unseen4"
    ],
    "routing": ["routing", "knowledge/eval/routing.yml"],
    "routing_emergencies": ["routing", "knowledge/eval/routing_emergencies.yml"],
    "routing_unseen": ["routing", "knowledge/eval/routing_unseen.yml"],
}
DROPPED = ("mismatches", "errors")


def evaluate(what: str, path: str, *extra: str) -> dict:
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "eval", what, path, *extra, "--json"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    result = json.loads(completed.stdout)
    for key in DROPPED:
        result.pop(key, None)
    return {**result, "file": path, "seconds": round(time.monotonic() - started, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "accuracy.json"))
    args = parser.parse_args()
    results: dict = {
        name: evaluate(what, path, *extra)
        for name, (what, path, *extra) in EVALUATIONS.items()
        if (ROOT / path).exists()
    }
    trained = ROOT / "models" / "last_training_seconds.txt"
    if trained.exists():
        results["training_s"] = float(trained.read_text())
    write_result(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
