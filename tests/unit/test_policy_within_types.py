"""Question types that order a document's passages, not documents (`within` in
knowledge/policy_retrieval.yml `question_types`): a number of days answers 要几天 among the
clauses of the rule chosen, whatever other rules say about days."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.policy import KnowledgeBase
from bot.policy.qtypes import compile_types, detect
from tests.unit.policy_data import knowledge_folder

pytest_plugins = ["tests.unit.policy_fixtures"]

REGISTER = """\
id: rule-register
title: 居住登记办法
issuer: 示例单位
sample: true
structure:
- id: '1'
  label: 第一条
  text: 居住登记机关应当自收到居住登记申请之日起及时审核，居住登记情况应当告知申请人。
- id: '2'
  label: 第二条
  text: 居住登记机关应当在十五日内办结居住登记。
- id: '3'
  label: 第三条
  text: 居住登记申请人应当如实申报居住登记信息。
"""

LEAVE = """\
id: rule-leave
title: 年休假办法
issuer: 示例单位
sample: true
structure:
- id: '1'
  label: 第一条
  text: 职工年休假天数为五日，单位应当在三十日内安排年休假。
- id: '2'
  label: 第二条
  text: 年休假申请应当提前告知单位。
"""


def test_a_type_is_read_with_its_within_flag() -> None:
    types = compile_types(
        {
            "期限": {"cues": ["几天"], "answer": "日内|之日起", "boost": 1.0},
            "期限数": {"cues": ["几天"], "answer": r"\d+日", "boost": 0.5, "within": True},
        }
    )
    assert [(kind.name, kind.within) for kind in types] == [("期限", False), ("期限数", True)]
    assert [kind.name for kind in detect("要几天", types)] == ["期限", "期限数"]


def test_a_within_type_orders_a_documents_passages_and_keeps_the_documents_order(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = knowledge_folder(tmp_path / "knowledge", {"rule-register": REGISTER, "rule-leave": LEAVE})
    kb = KnowledgeBase.load(root, cache_dir=cache_dir)
    assert any(kind.within for kind in kb.question_types)
    question = "居住登记申请要几天办好"
    plain = KnowledgeBase.__new__(KnowledgeBase)
    plain.__dict__.update(
        kb.__dict__, question_types=tuple(k for k in kb.question_types if not k.within)
    )
    query = kb.query(question)[0]
    matched, scores = kb._weighed(query, None, None, question)
    with_m, with_s = kb._rerank(matched, scores.copy(), question, detect(question, kb.question_types))
    plain_m, plain_s = plain._rerank(
        matched, scores.copy(), question, detect(question, plain.question_types)
    )
    assert np.array_equal(with_m, plain_m)
    owners = kb._policy_number[with_m]
    for owner in np.unique(owners).tolist():  # each document's best keeps its score
        assert with_s[owners == owner].max() == pytest.approx(plain_s[owners == owner].max())
    texts = [kb.passages[i].text for i in with_m.tolist()]
    days = next(k for k, text in enumerate(texts) if "十五日内" in text)
    soon = next(k for k, text in enumerate(texts) if "及时审核" in text)
    # the clause giving a number of days gains on the one with only 之日起
    assert with_s[days] / with_s[soon] > plain_s[days] / plain_s[soon]
