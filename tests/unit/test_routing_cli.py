"""`python -m bot route`, `eval routing` and `departments` through `bot.cli.main`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

import bot.cli
from bot.cli import main

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
ROUTE_KEYS = [
    "text",
    "type",
    "category",
    "location",
    "department",
    "co_departments",
    "due_at",
    "emergency",
]


@pytest.fixture(autouse=True)
def only_ticket_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Register only this module's commands, on the shipped knowledge folder."""
    monkeypatch.setattr(bot.cli, "COMMAND_MODULES", ("bot.tickets.cli",))
    monkeypatch.setenv("ZS_KNOWLEDGE_DIR", str(KNOWLEDGE))
    monkeypatch.setenv("ZS_VAR_DIR", str(tmp_path / "var"))


def json_lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_ticket_commands_are_registered() -> None:
    assert "bot.tickets.cli" in bot.cli.COMMAND_MODULES


def test_route_json_prints_one_object_per_text_in_order(capsys) -> None:
    texts = ["沈家门夜排档那边有人占道摆摊", "着火了！在定海解放路", "😀"]
    assert main(["route", "--json", "--now", "2026-09-30T10:00:00+08:00", *texts]) == 0
    raw = capsys.readouterr().out
    assert "沈家门" in raw, "ensure_ascii=False keeps Chinese readable"
    records = [json.loads(line) for line in raw.splitlines()]
    assert len(records) == 3
    assert all(list(r)[: len(ROUTE_KEYS)] == ROUTE_KEYS for r in records)
    first, fire, empty = records
    assert first["department"] == "普陀区综合行政执法局"
    assert first["location"] == "沈家门夜排档"
    assert first["co_departments"] == []
    assert first["due_at"] == "2026-10-13T17:30:00+08:00", "after the National Day holiday"
    assert datetime.fromisoformat(first["due_at"]).utcoffset() is not None
    assert (fire["emergency"], fire["department"], fire["due_at"]) == ("119", None, None)
    assert empty["type"] is None and empty["emergency"] is None


def test_route_reads_a_file_after_the_arguments(tmp_path: Path, capsys) -> None:
    complaints = tmp_path / "complaints.txt"
    complaints.write_text("岱山高亭镇有人卖过期食品\n\n嵊泗的快递丢了\n", encoding="utf-8")
    assert main(["route", "--json", "公积金怎么提取", "--file", str(complaints)]) == 0
    records = json_lines(capsys)
    assert [r["department"] for r in records] == [
        "舟山市住房公积金管理中心",
        "岱山县市场监督管理局",
        "舟山市邮政管理局",
    ]


def test_route_without_json_prints_a_readable_line(capsys) -> None:
    assert main(["route", "我要举报村书记贪污", "普陀东港有家药店卖假药"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("【不予受理】") and "12388" in lines[0]
    assert "普陀区市场监督管理局" in lines[1]


def test_route_without_texts_says_so(capsys) -> None:
    assert main(["route"]) == 2


def test_eval_routing_reports_each_accuracy(tmp_path: Path, capsys) -> None:
    labelled = tmp_path / "cases.yml"
    labelled.write_text(
        "cases:\n"
        "  - {text: 定海环南街道有家饭店油烟扰民, type: 投诉, category: city_management,"
        " department: 舟山市定海区综合行政执法局, jurisdiction: dinghai}\n"
        "  - {text: 有人拿刀在菜场砍人, type: 求助, emergency: '110'}\n"
        "  - {text: 我要起诉我的房东, type: 咨询, excluded: litigation}\n",
        encoding="utf-8",
    )
    assert main(["eval", "routing", str(labelled), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cases"] == 3
    accuracy = report["accuracy"]
    assert accuracy["department"] == {"rate": 1.0, "correct": 1, "total": 1}
    assert accuracy["emergency"]["total"] == 3 and accuracy["emergency"]["rate"] == 1.0
    assert accuracy["jurisdiction"]["rate"] == 1.0


def test_eval_routing_lists_mismatches_in_text_form(tmp_path: Path, capsys) -> None:
    labelled = tmp_path / "cases.yml"
    labelled.write_text(
        "- {text: 超市卖过期食品, type: 投诉, category: market_regulation, department: 定海区市场监督管理局}\n",
        encoding="utf-8",
    )
    assert main(["eval", "routing", str(labelled)]) == 0
    out = capsys.readouterr().out
    assert "department" in out and "mismatches:" in out


def test_departments_list_filters_by_jurisdiction(capsys) -> None:
    assert main(["departments", "list", "--jurisdiction", "xincheng", "--json"]) == 0
    bodies = json_lines(capsys)
    assert {b["jurisdiction"] for b in bodies} == {"xincheng"}
    assert "舟山市公安局新城分局" in {b["name"] for b in bodies}
