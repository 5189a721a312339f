"""The README's measurements table is written from bench/results.json and nothing else."""

from __future__ import annotations

import json

import pytest

from bench.report import END, START, render, update_readme
from bot.config import PROJECT_ROOT

RESULTS = json.loads((PROJECT_ROOT / "bench" / "results.json").read_text(encoding="utf-8"))


def test_the_committed_readme_table_is_what_the_committed_results_give():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(START, 1)[1].split(END, 1)[0]
    assert section.strip() == render(RESULTS).strip()


def test_only_the_marked_section_is_replaced_and_missing_benchmarks_leave_no_row(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\nbefore\n{START}\nold figures\n{END}\nafter\n", encoding="utf-8")
    partial = {"machine": RESULTS["machine"], "results": {"routing": RESULTS["results"]["routing"]}}
    update_readme(readme, render(partial))
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# title\n\nbefore\n") and text.endswith(f"{END}\nafter\n")
    assert "old figures" not in text and "Routing latency" in text
    assert "Soak" not in text and "Reply latency" not in text


def test_a_readme_without_the_markers_is_refused(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no table here\n", encoding="utf-8")
    with pytest.raises(ValueError):
        update_readme(readme, "table")


def _latency(p95: float, errors: int = 0) -> dict:
    return {"concurrency": 1, "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 2, "errors": errors}


def test_the_mix_and_the_instances_are_reported_beside_stock_with_their_cpu():
    stock = {"c1": _latency(50), "c32": {**_latency(1400), "concurrency": 32}}
    ours = {
        "mixed": {"c1": _latency(40), "c32": _latency(1000, errors=1)},
        "greetings": {"c1": _latency(30), "c32": _latency(700)},
        "cpu_ms_per_message_c32": {"actions": 6.1, "rasa": 80.5, "web": 12.0},
    }
    ratios = {
        "postgres_mixed_p95_c1_vs_stock": 0.8,
        "postgres_mixed_p95_c32_vs_stock": 0.71,
        "postgres_greetings_p95_c1_vs_stock": 0.6,
        "postgres_greetings_p95_c32_vs_stock": 0.5,
    }
    front = {
        "conversations": 64,
        "one": {"throughput_msg_s": 20.0, "p95_ms": 900, "errors": 0},
        "many": {
            "instances": 2,
            "throughput_msg_s": 21.0,
            "p95_ms": 850,
            "errors": 0,
            "cpu_ms_per_message": {"nginx": 0.4, "rasa": 81.0},
        },
        "throughput_many_vs_one": 1.05,
    }
    results = {"mixed": {"stock_greetings": stock, "postgres": ours, "ratios": ratios}}
    table = render({"machine": RESULTS["machine"], "results": {**results, "instances": front}})
    assert (
        "25.0/50.0/100 · 20.0/40.0/80.0 ms → p95 **0.8×** stock (greetings only: 0.6×); errors 0"
        in table
    )
    assert (
        "32 conversations" in table and "**0.71×** stock (greetings only: 0.5×); errors 1" in table
    )
    assert (
        "| CPU per message of the mix at 32 conversations, postgres | actions 6.1, rasa 80.5"
        in table
    )
    assert "throughput 20.0 → 21.0 msg/s (**1.05×**), p95 900 → 850 ms" in table
    assert "nginx 0.4, rasa 81.0" in table
