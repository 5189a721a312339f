"""Asked questions (问法): questions citizens really asked, answered in the clause's own words,
searched like 问答 pairs but never shown on the policy's page; kept across re-imports while the
text still holds their answers; left out by source for an honest measurement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.policy import PolicyFileError, load_policies, load_policy
from bot.policy.importer import keep_reviewed
from bot.policy.kb import KnowledgeBase
from bot.policy.passages import make_passage, policy_passages
from tests.unit.policy_data import KNOWLEDGE, PROJECT_ROOT, knowledge_folder, write_policy

POLICY = """\
id: ferry-fares
title: 舟山市海岛客运票价优惠办法
issuer: 舟山市交通运输局
sample: true
structure:
- id: '1'
  label: 第一条
  title: 优惠对象
  text: 年满七十周岁的老年人乘坐本市海岛客运班船，凭身份证免收船票。残疾人凭残疾人证享受半价优惠。
- id: '2'
  label: 第二条
  title: 办理
  text: 优惠在售票窗口办理，网上购票暂不适用。
qa:
- q: 老年人坐船有什么优惠？
  a: 年满七十周岁的老年人凭身份证免收船票。
  clause: '1'
asked:
- {q: 我爸七十二了坐船去岱山要买票吗, a: 年满七十周岁的老年人乘坐本市海岛客运班船，凭身份证免收船票。, clause: '1', source: set-a}
- {q: 手机上买船票能不能打折, a: 优惠在售票窗口办理，网上购票暂不适用。, clause: '2', source: set-b}
"""


def test_asked_questions_load_apart_from_the_pages_qa(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, "ferry-fares", POLICY))
    assert [pair.question for pair in policy.qa] == ["老年人坐船有什么优惠？"]
    assert [(pair.clause_id, pair.source) for pair in policy.asked] == [("1", "set-a"), ("2", "set-b")]
    assert policy.pairs == policy.qa + policy.asked


def test_asked_questions_are_searched_as_pairs(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, "ferry-fares", POLICY))
    pairs = [p for p in policy_passages(policy) if p.kind == "qa"]
    assert len(pairs) == 3
    last = make_passage(policy, "qa", 2)
    assert last.answer == "优惠在售票窗口办理，网上购票暂不适用。"
    assert last.fields["question"] == "手机上买船票能不能打折"
    # buttons offer the reviewed question, or the asked question's clause, never a citizen's words
    assert make_passage(policy, "qa", 0).suggestion == "老年人坐船有什么优惠？"
    assert last.suggestion == "第二条 办理"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("a: 优惠在售票窗口办理，网上购票暂不适用。", "a: 网上购票八折。", "not in the text of clause '2'"),
        ("clause: '2', source", "clause: '9', source", "clause '9' does not exist"),
        ("source: set-b}", "source: set-b, alt: [x]}", "unknown field 'alt'"),
    ],
)
def test_a_wrong_asked_question_names_its_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = write_policy(tmp_path, "ferry-fares", POLICY.replace(old, new, 1))
    with pytest.raises(PolicyFileError) as raised:
        load_policy(path)
    problem = raised.value.problems[0]
    assert message in problem.message
    assert problem.line == 20  # the second asked question


def test_reimport_keeps_asked_questions_the_new_text_still_answers(tmp_path: Path) -> None:
    target = write_policy(tmp_path, "ferry-fares", POLICY)
    import yaml

    mapping = yaml.safe_load(POLICY)
    mapping.pop("asked")
    mapping["qa"] = []
    mapping["structure"][1]["text"] = "优惠在售票窗口和网上均可办理。"  # 第二条 changed
    merged = keep_reviewed(target, mapping)
    assert [item["q"] for item in merged["asked"]] == ["我爸七十二了坐船去岱山要买票吗"]


def test_the_policy_page_does_not_list_asked_questions(tmp_path: Path) -> None:
    from jinja2 import Environment, FileSystemLoader

    policy = load_policy(write_policy(tmp_path, "ferry-fares", POLICY))
    template = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "bot" / "web" / "templates")
    ).get_template("portal/policy.html")
    source = template.environment.loader.get_source(template.environment, "portal/policy.html")[0]
    assert "policy.qa" in source and "policy.asked" not in source and "policy.pairs" not in source
    assert policy.qa and policy.asked


def test_the_shipped_rules_have_asked_questions_from_studied_sets_only() -> None:
    rules = {p.id: p for p in load_policies(KNOWLEDGE / "policies")}["zhoushan-open-government-rules"]
    sources = {pair.source for pair in rules.asked}
    assert len(rules.asked) >= 300
    assert sources <= {"policy_qa", *(f"rules_qa_unseen{n}" for n in ("", "2", "3", "4"))}


def test_an_asked_question_finds_its_clause(tmp_path: Path) -> None:
    root = knowledge_folder(tmp_path / "k", {"ferry-fares": POLICY})
    kb = KnowledgeBase.load(root, cache_dir=tmp_path / "cache")
    best = kb.ask("手机上买船票有没有优惠").best
    assert best is not None and best.clause == "第二条"


def _kb_cli(tmp_path: Path, root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "ZS_KNOWLEDGE_DIR": str(root),
        "ZS_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'zs.db'}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "kb", "asked", *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True
    )


def test_operators_used_suggestions_become_asked_questions(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from bot.db import Database
    from bot.dbcli import upgrade
    from bot.web.models import SuggestionFeedback

    url = f"sqlite:///{tmp_path / 'zs.db'}"
    upgrade(url)
    rows = [  # (question, clause, suggestion, action)
        ("残疾人坐船打几折", "1", "残疾人凭残疾人证享受半价优惠。", "used"),
        ("网上买票打折吗", "2", "网上购票暂不适用。", "rejected"),
        ("轮渡上能带狗吗", "2", "优惠在售票窗口办理。", "edited"),
        ("老人坐船", "1", "请拨打12345咨询。", "used"),  # not the clause's words
    ]
    database = Database(url)
    with database.session() as session:
        for question, clause, suggestion, action in rows:
            session.add(
                SuggestionFeedback(
                    at=datetime.now(timezone.utc), operator="op1", question=question,
                    policy_id="ferry-fares", clause_id=clause, suggestion=suggestion, action=action,
                    final_text="改过的答复" if action == "edited" else None,
                )
            )
    database.dispose()
    root = knowledge_folder(tmp_path / "k", {"ferry-fares": POLICY})
    dry = _kb_cli(tmp_path, root, "ferry-fares", "--feedback", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "3 asked questions (+1)" in dry.stdout and "残疾人坐船打几折" in dry.stdout
    assert "残疾人坐船" not in (root / "policies" / "ferry-fares.yml").read_text(encoding="utf-8")
    done = _kb_cli(tmp_path, root, "ferry-fares", "--feedback")
    assert done.returncode == 0, done.stderr
    policy = load_policy(root / "policies" / "ferry-fares.yml")
    assert [(p.question, p.source) for p in policy.asked][-1] == ("残疾人坐船打几折", "feedback")
    again = _kb_cli(tmp_path, root, "ferry-fares", "--feedback")
    assert "3 asked questions (+0)" in again.stdout  # never added twice


def test_labelled_files_replace_their_own_source(tmp_path: Path) -> None:
    root = knowledge_folder(tmp_path / "k", {"ferry-fares": POLICY})
    labelled = tmp_path / "set-b.yml"
    labelled.write_text(
        "questions:\n- {q: 用手机订的船票还能享受优惠吗, clause: '2', facts: [网上购票暂不适用]}\n"
        "- {q: 今天天气怎么样, none: true}\n",
        encoding="utf-8",
    )
    done = _kb_cli(tmp_path, root, "ferry-fares", "--labelled", str(labelled))
    assert done.returncode == 0, done.stderr
    policy = load_policy(root / "policies" / "ferry-fares.yml")
    assert [(p.question, p.source) for p in policy.asked] == [
        ("我爸七十二了坐船去岱山要买票吗", "set-a"),
        ("用手机订的船票还能享受优惠吗", "set-b"),
    ]
    assert policy.asked[-1].answer == "优惠在售票窗口办理，网上购票暂不适用。"
    assert _kb_cli(tmp_path, root, "nothing-here", "--feedback").returncode == 1


def test_eval_qa_leaves_out_a_source(tmp_path: Path) -> None:
    labelled = tmp_path / "set-b.yml"
    labelled.write_text(
        "questions:\n- {q: 手机上买船票能不能打折, clause: '2', facts: [网上购票暂不适用]}\n",
        encoding="utf-8",
    )
    root = knowledge_folder(tmp_path / "k", {"ferry-fares": POLICY})
    env = {"PATH": "/usr/bin:/bin", "ZS_KNOWLEDGE_DIR": str(root), "PYTHONPATH": str(PROJECT_ROOT)}
    run = [sys.executable, "-m", "bot", "eval", "qa", str(labelled), "--json"]
    summary = json.loads(
        subprocess.run(
            [*run, "--leave-out", "set-b"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout
    )
    assert summary["left_out"] == ["set-b"]
    assert summary["questions"] == 1
