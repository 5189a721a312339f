"""`python -m bot consult ...` and `python -m bot eval grouping`, end to end on SQLite."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from bot.cli import main
from bot.consultation import resolve_draft, submit_opinion
from tests.unit.consultation_fixtures import LABELLED

pytest_plugins = ("tests.unit.consultation_fixtures",)

WASTE = "island-waste-sorting-2026-sample"
IN_WINDOW = datetime(2026, 9, 15, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def cli(settings, db, knowledge, monkeypatch):
    """Run the command line against the test database and knowledge folder: (exit code, stdout)."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ZS_KNOWLEDGE_DIR", str(knowledge))

    def run(capsys, *argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_list_json_shows_windows_and_counts(cli, capsys):
    assert cli(capsys, "consult", "sync")[0] == 0
    code, out, _ = cli(capsys, "consult", "list", "--json", "--today", "2026-11-27")
    listed = {item["slug"]: item for item in json.loads(out)}
    assert code == 0 and set(listed) == {
        "zs-parking-2026-sample",
        "island-waste-sorting-2026-sample",
        "ferry-spring-festival-2027-sample",
    }
    parking = listed["zs-parking-2026-sample"]
    assert (parking["opens_on"], parking["closes_on"], parking["phase"]) == (
        "2026-11-15",
        "2026-12-31",
        "open",
    )
    assert listed[WASTE]["phase"] == "closed" and parking["opinion_count"] == 0
    assert json.loads(out)[0]["phase"] == "open"


def test_import_draft_and_refusals(cli, capsys, tmp_path):
    source = tmp_path / "port-rules.md"
    source.write_text(
        "# 示例港区管理规定（征求意见稿）\n\n第一条 示例。\n\n第二条 示例二。\n", encoding="utf-8"
    )
    code, out, _ = cli(
        capsys,
        "consult",
        "import-draft",
        str(source),
        "--department",
        "示例港航局",
        "--start",
        "2026-12-01",
        "--end",
        "2026-12-31",
    )
    assert code == 0 and "2 个条款" in out and "第二条" in out
    code, _, err = cli(
        capsys,
        "consult",
        "import-draft",
        str(source),
        "--department",
        "示例港航局",
        "--slug",
        "../../etc/evil",
    )
    assert code == 1 and "稿件标识" in err
    code, _, err = cli(
        capsys,
        "consult",
        "import-draft",
        str(source),
        "--department",
        "示例港航局",
        "--slug",
        "short",
        "--start",
        "2026-12-01",
        "--end",
        "2026-12-10",
    )
    assert code == 1 and "少于30日" in err


def test_staff_workflow_and_json_report(cli, capsys, db, accounts):
    cli(capsys, "consult", "sync")
    with db.session() as session:
        draft_id = resolve_draft(session, WASTE).id
        for text in (
            "渔船垃圾应当每天上岸处理，不能一周才收一次。",
            "渔船靠港后的垃圾要每天收集上岸。",
        ):
            submit_opinion(session, draft_id, "二（四）", text, now=IN_WINDOW)
        submit_opinion(session, draft_id, None, "建议加强垃圾分类的宣传教育工作。", now=IN_WINDOW)

    code, out, _ = cli(capsys, "consult", "group", WASTE, "--as", "li")
    assert code == 0 and "3 条意见归为 2 组" in out
    code, out, _ = cli(capsys, "consult", "report", WASTE, "--format", "json")
    preview = json.loads(out)
    assert preview["preview"] is True
    groups = [g for section in preview["sections"] for g in section["groups"]]
    assert len(groups) == 2 and all(g["outcome"] is None for g in groups)

    fishing, general = sorted(groups, key=lambda g: -g["opinions"])
    assert (
        cli(
            capsys,
            "consult",
            "decide",
            "--group",
            str(fishing["id"]),
            "--outcome",
            "not_adopted",
            "--as",
            "li",
        )[0]
        == 1
    )
    for group, outcome, reason in (
        (fishing, "partially_adopted", "渔港收集点改为每日收集，海上转运维持每周两次。"),
        (general, "adopted", ""),
    ):
        assert (
            cli(
                capsys,
                "consult",
                "decide",
                "--group",
                str(group["id"]),
                "--outcome",
                outcome,
                "--reason",
                reason,
                "--as",
                "li",
            )[0]
            == 0
        )
    assert cli(capsys, "consult", "summarise", WASTE, "--as", "li")[0] == 0
    code, _, err = cli(capsys, "consult", "approve", WASTE, "--as", "zhou")
    assert code == 1 and "权限" in err
    code, _, err = cli(capsys, "consult", "approve", WASTE, "--as", "wang")
    assert code == 1 and "保密审查未完成" in err
    assert cli(capsys, "consult", "approve", WASTE, "--as", "wang", "--confirm", "all")[0] == 0
    code, out, _ = cli(capsys, "consult", "publish", WASTE, "--as", "li")
    assert code == 0 and "已发布第1版" in out and "reviewer:wang" in out

    code, out, _ = cli(capsys, "consult", "report", WASTE, "--format", "json", "--published")
    published = json.loads(out)
    decided = {g["id"]: g for section in published["sections"] for g in section["groups"]}
    assert decided[fishing["id"]]["outcome_label"] == "部分采纳"
    assert "每日收集" in decided[fishing["id"]]["reason"]
    assert decided[general["id"]]["outcome"] == "adopted"
    assert published["version"] == 1 and len(published["content_hash"]) == 64
    code, out, _ = cli(capsys, "consult", "report", WASTE, "--format", "md", "--published")
    assert "| 部分采纳 |" in out
    code, out, _ = cli(capsys, "consult", "list", "--json")
    assert {i["slug"]: i["phase"] for i in json.loads(out)}[WASTE] == "summarised"


def test_eval_grouping_reports_pairwise_scores(cli, capsys):
    code, out, _ = cli(capsys, "eval", "grouping", str(LABELLED), "--json")
    result = json.loads(out)
    assert code == 0 and result["opinions"] == 98 and result["groups"] == 26
    assert set(result["scores"][0]) == {"threshold", "precision", "recall", "f1", "ari", "groups"}
