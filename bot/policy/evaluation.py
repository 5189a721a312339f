"""Measuring retrieval on a labelled question file: hit@1, hit@3, MRR, and confidence quality.

A result is a *hit* when every expected fact string occurs in its answer or its text (the
source passage), compared without spaces and with full-/half-width forms unified, so "5 小时"
and "5小时", "4 ％" and "4%" match. An item without facts is hit by a result resting on its
expected clause. hit@k is the share of questions with a hit among the first k results, MRR the
mean of 1/rank of the first hit, and answer_hit@1 the stricter share whose facts are all in the
first result's concise answer alone. Out-of-scope items (`none: true`) are not scored for hits;
they count against confidence when answered confidently. `calibrate` searches the confidence
thresholds that `knowledge/policy_retrieval.yml` stores.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import yaml

from bot.policy.answers import Answer, Result
from bot.policy.kb import KnowledgeBase
from bot.policy.params import Confidence


class EvalFileError(ValueError):
    """The evaluation file is malformed."""


@dataclass(frozen=True)
class EvalItem:
    question: str
    facts: tuple[str, ...] = ()
    clause: Optional[str] = None
    none: bool = False


@dataclass(frozen=True)
class Outcome:
    item: EvalItem
    rank: Optional[int]
    answer_hit: bool
    score: float
    margin: float
    confident: bool
    top: Optional[Result]


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def scored(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.item.none]

    @property
    def out_of_scope(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.item.none]

    def hit_at(self, k: int) -> float:
        scored = self.scored
        return (
            sum(1 for o in scored if o.rank is not None and o.rank <= k) / len(scored)
            if scored
            else 0.0
        )

    @property
    def mrr(self) -> float:
        scored = self.scored
        return sum(1 / o.rank for o in scored if o.rank) / len(scored) if scored else 0.0

    @property
    def answer_hit_at_1(self) -> float:
        scored = self.scored
        return sum(1 for o in scored if o.answer_hit) / len(scored) if scored else 0.0

    def summary(self) -> dict[str, Any]:
        scored = self.scored
        confident = [o for o in scored if o.confident]
        return {
            "questions": len(scored),
            "hit@1": round(self.hit_at(1), 4),
            "hit@3": round(self.hit_at(3), 4),
            "mrr": round(self.mrr, 4),
            "answer_hit@1": round(self.answer_hit_at_1, 4),
            "confident": len(confident),
            "confident_correct": sum(1 for o in confident if o.rank == 1),
            "out_of_scope": len(self.out_of_scope),
            "out_of_scope_confident": sum(1 for o in self.out_of_scope if o.confident),
        }

    def misses(self, k: int = 1) -> list[Outcome]:
        return [o for o in self.scored if o.rank is None or o.rank > k]


def load_eval(path: Path) -> list[EvalItem]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise EvalFileError(f"{path}: {error}") from error
    entries = data.get("questions") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise EvalFileError(f"{path}: expected a 'questions' list")
    items = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise EvalFileError(f"{path}: question {number} needs a 'q' text")
        facts = entry.get("facts") or []
        if isinstance(facts, str):
            facts = [facts]
        clause = entry.get("clause")
        none = bool(entry.get("none", False))
        if not none and not facts and clause is None:
            raise EvalFileError(
                f"{path}: question {number} ({entry['q']}) needs facts, a clause or none: true"
            )
        items.append(
            EvalItem(
                entry["q"], tuple(str(f) for f in facts), str(clause) if clause else None, none
            )
        )
    return items


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_hit(item: EvalItem, result: Result) -> bool:
    if item.facts:
        haystack = normalise(f"{result.answer}\n{result.text}")
        return all(normalise(fact) in haystack for fact in item.facts)
    return item.clause is not None and result.clause_id == item.clause


def evaluate(kb: KnowledgeBase, items: Sequence[EvalItem], top_k: int = 3) -> Report:
    report = Report()
    for item in items:
        answer = kb.ask(item.question, top_k=top_k)
        report.outcomes.append(_outcome(item, answer))
    return report


def _outcome(item: EvalItem, answer: Answer) -> Outcome:
    rank = next((i for i, r in enumerate(answer.results, 1) if is_hit(item, r)), None)
    top = answer.best
    answer_hit = bool(
        top and item.facts and all(normalise(f) in normalise(top.answer) for f in item.facts)
    )
    score = top.score if top else 0.0
    second = answer.results[1].score if len(answer.results) > 1 else 0.0
    margin = (score - second) / score if score else 0.0
    return Outcome(item, rank, answer_hit, score, margin, answer.confident, top)


def calibrate(report: Report, wrong_cost: float = 4.0) -> Confidence:
    """Thresholds maximising confident right answers minus `wrong_cost` per confident wrong one.

    Wrong means a scored question whose top result is not a hit, or any out-of-scope question.
    Score thresholds are tried at every observed score; among equally good ones the strictest
    wins.
    """
    outcomes = report.scored + report.out_of_scope
    if not outcomes:
        return Confidence()
    scores = np.array([o.score for o in outcomes])
    margins = np.array([o.margin for o in outcomes])
    value = np.array([1.0 if (not o.item.none and o.rank == 1) else -wrong_cost for o in outcomes])
    candidates = np.unique(np.floor(scores * 10) / 10)
    best, best_value = Confidence(), -np.inf
    for min_score in candidates:
        for min_margin in np.linspace(0, 0.5, 26):
            sure = candidates[candidates >= min_score]
            confident = (scores >= min_score) & (
                (margins >= min_margin) | (scores[None, :] >= sure[:, None])
            )
            totals = confident @ value
            index = len(totals) - 1 - int(np.argmax(totals[::-1]))
            if totals[index] >= best_value:
                best_value = totals[index]
                best = Confidence(float(min_score), round(float(min_margin), 2), float(sure[index]))
    return best
