"""Policy YAML files: what loads, and errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.policy import PolicyFileError, load_policies, load_policy
from bot.policy.model import INTERPRETATION_FIELDS
from tests.unit.policy_data import CURRENT_SAMPLE, KNOWLEDGE, write_policy

VALID = """\
id: example
title: 示例：某某办法
issuer: 示例单位
sample: true
structure:
- id: '2'
  label: （二）
  title: 政策解读
  children:
  - id: '2.5'
    label: 第5条
    title: 明确解读责任主体
    text: 按照“谁起草、谁解读”的原则解读。
    notes: [解读责任落实到位]
qa:
- q: 谁负责解读？
  a: 起草部门负责。
  clause: '2.5'
"""


def problem_for(path: Path) -> tuple[int, str]:
    with pytest.raises(PolicyFileError) as raised:
        load_policy(path)
    problem = raised.value.problems[0]
    assert problem.path == path
    assert str(problem).startswith(f"{path}:{problem.line}: ")
    return problem.line, problem.message


def test_valid_policy_loads_with_citations(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, "example", VALID))
    clause = policy.clause("2.5")
    assert clause is not None
    assert clause.reference == "（二）政策解读 第5条"
    assert clause.full_text == "明确解读责任主体。按照“谁起草、谁解读”的原则解读。"
    assert clause.notes == ("解读责任落实到位",)
    assert policy.qa[0].clause_id == "2.5"
    assert policy.sample is True


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (("title: 示例：某某办法\n", ""), 1, "missing required field 'title'"),
        (("sample: true", "sample: maybe"), 4, "sample must be true or false"),
        (("issuer: 示例单位", "issuer: 示例单位\nauthor: someone"), 4, "unknown field 'author'"),
        (("  clause: '2.5'\n", "  clause: '9.9'\n"), 18, "clause '9.9' does not exist"),
        (("  clause: '2.5'\n", "  clause: 2.5\n"), 18, "quote it"),
        (
            ("    title: 明确解读责任主体\n", "    title: 明确解读责任主体\n    title: 重复\n"),
            13,
            "duplicate key 'title'",
        ),
        (("id: example", "id: other"), 1, "must match the file name"),
        (
            ("issuer: 示例单位", "issuer: 示例单位\nexpires: 2020-13-40"),
            4,
            "expires must be a date",
        ),
        (("  a: 起草部门负责。", "  a: " + "很长" * 120), 17, "keep it within 200"),
        (("    text: 按照", "    text: [按照"), 14, "while parsing a flow sequence on line 13"),
    ],
)
def test_malformed_entry_names_file_and_line(
    tmp_path: Path, edit: tuple[str, str], line: int, message: str
) -> None:
    old, new = edit
    assert old in VALID
    path = write_policy(tmp_path, "example", VALID.replace(old, new, 1))
    found_line, found_message = problem_for(path)
    assert message in found_message
    assert found_line == line


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("sample: true", "sample: maybe").replace(
        "  clause: '2.5'", "  clause: '7.7'"
    )
    with pytest.raises(PolicyFileError) as raised:
        load_policy(write_policy(tmp_path, "example", text))
    assert len(raised.value.problems) == 2


def test_duplicate_policy_ids_across_files(tmp_path: Path) -> None:
    write_policy(tmp_path, "sample-ferry", CURRENT_SAMPLE)
    copy = write_policy(tmp_path / "more", "sample-ferry", CURRENT_SAMPLE)
    (tmp_path / "sample-ferry.yaml").write_text(copy.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PolicyFileError, match="already used"):
        load_policies(tmp_path)


def test_shipped_policy_is_complete() -> None:
    policies = {p.id: p for p in load_policies(KNOWLEDGE / "policies")}
    rules = policies["zhoushan-open-government-rules"]
    assert rules.title == "舟山市全面推进政务公开实施细则"
    assert rules.issuer == "舟山市人民政府办公室"
    assert rules.sample is False
    assert rules.doc_no == ""
    assert len(rules.qa) >= 45
    assert {entry.field for entry in rules.interpretation} == set(INTERPRETATION_FIELDS)
    assert rules.clause("2.5").reference == "（二）政策解读 第5条"
    others = [p for p in policies.values() if p.id != rules.id]
    assert all(p.sample or p.source_file for p in others), "real documents come from kb import"
    assert {"住房公积金管理条例", "浙江省医疗保障条例", "舟山市物业管理条例"} <= {p.title for p in others}
