"""`python -m bot kb …` and `python -m bot eval qa` through `bot.cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.policy.evaluation import EvalItem, Report, calibrate, evaluate, is_hit, load_eval
from bot.policy.kb import KnowledgeBase
from tests.unit.policy_data import KNOWLEDGE, write_policy

pytest_plugins = ("tests.unit.policy_fixtures",)

SEARCH_KEYS = [
    "answer", "text", "policy", "clause", "doc_no", "url", "score", "confident", "policy_id", "title",
]  # fmt: skip


@pytest.fixture
def use_knowledge(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_dir: Path):
    """Point the command line at a knowledge folder (the shipped one unless told otherwise)."""

    def point(knowledge: Path = KNOWLEDGE) -> None:
        monkeypatch.setenv("ZS_KNOWLEDGE_DIR", str(knowledge))
        monkeypatch.setenv("ZS_VAR_DIR", str(tmp_path / "var"))

    point()
    return point


def json_lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_search_json_prints_one_object_per_question_in_order(
    use_knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = ["一把手要不要亲自出来讲政策", "", "出了大事多久要发布消息"]
    assert main(["kb", "search", "--json", *questions]) == 0
    raw = capsys.readouterr().out
    assert "一把手" in raw, "ensure_ascii=False keeps Chinese readable"
    records = [json.loads(line) for line in raw.splitlines()]
    assert [r["question"] for r in records] == questions
    assert all(list(r) == ["question", "results"] for r in records)
    first = records[0]["results"]
    assert len(first) == 3
    assert all(list(result) == SEARCH_KEYS for result in first)
    assert first[0]["policy"] == "舟山市全面推进政务公开实施细则"
    assert first[0]["clause"] == "（二）政策解读 第5条"
    assert first[0]["confident"] is True and isinstance(first[0]["score"], float)
    assert records[1]["results"] == []


def test_search_reads_a_file_and_respects_top(
    use_knowledge, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("政务公开占考核多少分\n\n哪些文件要解读\n", encoding="utf-8")
    assert main(["kb", "search", "--json", "--top", "1", "--file", str(questions)]) == 0
    records = json_lines(capsys)
    assert [r["question"] for r in records] == ["政务公开占考核多少分", "哪些文件要解读"]
    assert all(len(r["results"]) == 1 for r in records)


def test_search_listing_is_readable(use_knowledge, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "search", "政务公开占考核多少分", "hello"]) == 0
    out = capsys.readouterr().out
    assert "问：政务公开占考核多少分" in out
    assert "来源：《舟山市全面推进政务公开实施细则》（七）工作保障 第23条" in out
    assert "not_chinese" in out


def test_list_and_validate(use_knowledge, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "list"]) == 0
    listing = capsys.readouterr().out
    assert "zhoushan-open-government-rules" in listing and "无文号" in listing
    assert main(["kb", "validate"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_validate_reports_file_and_line(
    use_knowledge, sample_knowledge: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = write_policy(
        sample_knowledge / "policies",
        "broken",
        "id: broken\ntitle: 示例\nissuer: 示例\nsample: yes please\nstructure: []\n",
    )
    use_knowledge(sample_knowledge)
    assert main(["kb", "validate"]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:4: sample must be true or false" in err
    assert f"{broken}:5: structure must be a non-empty list" in err


def test_eval_command_reports_metrics(
    use_knowledge, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "qa.yml"
    questions.write_text(
        "questions:\n"
        "- {q: 一把手要不要亲自出来讲政策, facts: [带头解读政策]}\n"
        "- {q: 政务公开占考核多少分, clause: '7.23'}\n"
        "- {q: 今天天气怎么样, none: true}\n",
        encoding="utf-8",
    )
    assert main(["eval", "qa", str(questions), "--json", "--calibrate"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["questions"] == 2
    assert summary["hit@1"] == summary["hit@3"] == summary["mrr"] == 1.0
    assert summary["out_of_scope"] == 1 and summary["out_of_scope_confident"] == 0
    assert set(summary["suggested_confidence"]) == {
        "min_score",
        "min_margin",
        "sure_score",
        "min_coverage",
        "answer_score",
        "library_score",
        "passage_coverage",
        "specific_share",
        "value_types",
        "counted",
    }
    assert main(["eval", "qa", str(questions)]) == 0
    assert "hit@1 1.000" in capsys.readouterr().out


def test_eval_file_errors(
    use_knowledge, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("questions:\n- {q: 只有问题}\n", encoding="utf-8")
    assert main(["eval", "qa", str(bad)]) == 1
    assert "needs facts, a clause or none: true" in capsys.readouterr().err


def test_hits_ignore_spacing_and_width(real_kb: KnowledgeBase) -> None:
    result = real_kb.ask("出了大事多久要发布消息").best
    assert is_hit(EvalItem("q", facts=("5 小时", "24小时内")), result)
    assert is_hit(EvalItem("q", clause="3.11"), result)
    assert not is_hit(EvalItem("q", facts=("5小时", "不存在的事实")), result)
    percent = real_kb.ask("政务公开在考核中占多少权重").best
    assert is_hit(EvalItem("q", facts=("不低于4%",)), percent)


def test_shipped_eval_file_is_well_formed_and_honest() -> None:
    items = load_eval(KNOWLEDGE / "eval" / "policy_qa.yml")
    scored = [item for item in items if not item.none]
    assert len(scored) >= 100
    qa_questions = {
        question
        for path in (KNOWLEDGE / "policies").glob("*.yml")
        for question in (
            line.split("q: ", 1)[1].strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if "- q: " in line
        )
    }
    assert not {item.question for item in items} & qa_questions


def test_calibration_prefers_confident_right_answers(real_kb: KnowledgeBase) -> None:
    report: Report = evaluate(
        real_kb,
        [
            EvalItem("一把手要不要亲自出来讲政策", facts=("带头解读政策",)),
            EvalItem("帮我写一首诗", none=True),
        ],
    )
    thresholds = calibrate(report)
    right, nonsense = report.outcomes
    assert nonsense.score < thresholds.min_score <= right.score


def test_eval_library_imports_several_folders_into_one_library(
    use_knowledge, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Set 8 brings its own documents: `--also` puts them in one library beside the first corpus."""
    first, second = tmp_path / "corpus", tmp_path / "set8" / "corpus"
    first.mkdir()
    second.mkdir(parents=True)
    (first / "a_舟山市渔船安全管理办法.txt").write_text(
        "舟山市渔船安全管理办法\n第一条 渔船出海前应当检查救生设备。\n第二条 渔船应当配备救生衣，每人一件。\n",
        encoding="utf-8",
    )
    (second / "b_宁波市养犬管理条例.txt").write_text(
        "宁波市养犬管理条例\n第一条 为了规范养犬行为，制定本条例。\n第二条 养犬人应当为犬只办理登记，登记证有效期一年。\n",
        encoding="utf-8",
    )
    questions = tmp_path / "questions.jsonl"
    rows = [
        {"id": "q1", "doc": "a_舟山市渔船安全管理办法.txt", "answer": "每人一件",
         "annotator": "舟山渔船救生衣怎么配备？", "citizen": "舟山出海的船救生衣要几件"},
        {"id": "q2", "doc": "b_宁波市养犬管理条例.txt", "answer": "登记证有效期一年",
         "annotator": "宁波养犬登记证有效期多久？", "citizen": "宁波养狗的登记证管多久"},
    ]  # fmt: skip
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    argv = ["eval", "library", str(first), str(questions), "--also", str(second), "--json", "--no-baseline"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["documents"], report["imported"]) == (2, 2)
    assert report["library"]["annotator"]["doc@1"] == 1.0, report["library"]
    assert first.exists() and second.exists(), "the folders themselves are left as they were"
