"""Among the best passages, one holding more of the question's words keeps more of its score
(policy_retrieval.yml: coverage_weight; KnowledgeBase._rerank)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.policy import KnowledgeBase
from tests.unit.policy_data import knowledge_folder

pytest_plugins = ("tests.unit.policy_fixtures",)

RESIDENCE = """\
id: residence
title: 居住证办理规定
issuer: 示例单位
sample: true
structure:
- id: '1'
  label: 第一条
  text: 居住证由公安机关制作发放，申领居住证应当提交居住证申领表。
- id: '2'
  label: 第二条
  text: 行动不便的老年人申领居住证，可以由其监护人代为办理。
- id: '3'
  label: 第三条
  text: 本规定自发布之日起施行。
"""

QUESTION = "老人行动不便，居住证能让监护人代办吗"


@pytest.fixture
def residence_kb(tmp_path: Path, cache_dir: Path) -> KnowledgeBase:
    root = knowledge_folder(tmp_path / "knowledge", {"residence": RESIDENCE})
    return KnowledgeBase.load(root, cache_dir=cache_dir)


def clause_passages(kb: KnowledgeBase) -> dict[str, int]:
    return {
        kb.passages[i].clause.id: i
        for i in range(len(kb.passages))
        if kb.passages[i].kind == "clause"
    }


def test_a_passage_holding_more_of_the_questions_words_has_the_larger_share(
    residence_kb: KnowledgeBase,
) -> None:
    passages = clause_passages(residence_kb)
    shares = residence_kb._coverage_shares(
        QUESTION, np.array([passages["1"], passages["2"], passages["3"]])
    )
    assert shares[1] > shares[0] > shares[2] == 0.0
    assert 0.0 < shares[1] <= 1.0


def test_a_passage_keeps_the_share_of_its_score_its_coverage_earns(
    residence_kb: KnowledgeBase,
) -> None:
    weight = residence_kb.params.coverage_weight
    assert weight > 0
    plain = KnowledgeBase(
        residence_kb.policies,
        residence_kb.analyzer,
        replace(residence_kb.params, coverage_weight=0.0),
    )
    covered = {r.clause_id: r.score for r in residence_kb.ask(QUESTION).results}
    uncovered = {r.clause_id: r.score for r in plain.ask(QUESTION).results}
    passages = clause_passages(residence_kb)
    assert next(iter(covered)) == "2"
    for clause_id, score in covered.items():
        share = residence_kb._coverage_shares(QUESTION, np.array([passages[clause_id]]))[0]
        expected = uncovered[clause_id] * (1 + weight * share) / (1 + weight)
        assert score == pytest.approx(expected, rel=1e-3)
