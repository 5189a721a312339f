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
