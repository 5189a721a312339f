"""Measuring the router on a labelled file (format: the header of knowledge/eval/routing.yml).

Department names are compared through the catalogue, so 舟山市定海区市场监督管理局 and
定海区市场监督管理局 count as the same body. Every case is routed at the same moment
(`REFERENCE_TIME`, a Tuesday in May) so that figures do not depend on the day they are taken.

`cross_validate` measures what a labelled file cannot once it has been tuned on: how the router
does on examples its models never saw. The training file is split into folds; each fold is routed
by models trained on the others (the phrases in routing.yml stay, so the figures are an upper
bound for texts written in words the phrases were never tuned on).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union
from zoneinfo import ZoneInfo

from bot.knowledge_files import BoardCategoriesFile, RoutingCasesFile, load_data
from bot.tickets.catalogue import Catalogue, normalise_name
from bot.tickets.classify import Classifier
from bot.tickets.routing import Router, RoutingResult, train_models

PROJECT = "project"
REFERENCE_TIME = datetime(2026, 5, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
METRICS = (
    "department",
    "jurisdiction",
    "type",
    "category",
    "co_departments",
    "emergency",
    "excluded",
    "urgent",
    "referred",
    "left_alone",
    "board",
)
BOARD_FILE = "eval/board_categories.yml"


@dataclass
class Score:
    correct: int = 0
    total: int = 0

    @property
    def rate(self) -> Optional[float]:
        return self.correct / self.total if self.total else None

    def add(self, ok: bool) -> bool:
        self.total += 1
        self.correct += ok
        return ok


@dataclass
class Mismatch:
    text: str
    metric: str
    expected: Any
    got: Any


@dataclass
class Report:
    cases: int = 0
    scores: dict[str, Score] = field(default_factory=lambda: {m: Score() for m in METRICS})
    mismatches: list[Mismatch] = field(default_factory=list)

    def extend(self, other: Report) -> None:
        """Add another report's cases (one fold of a cross-validation) to this one."""
        self.cases += other.cases
        for name, score in other.scores.items():
            self.scores[name].correct += score.correct
            self.scores[name].total += score.total
        self.mismatches.extend(other.mismatches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "accuracy": {
                name: {"rate": _round(s.rate), "correct": s.correct, "total": s.total}
                for name, s in self.scores.items()
            },
            "mismatches": [m.__dict__ for m in self.mismatches],
        }

    def render(self, mismatches: bool = True) -> str:
        lines = [f"{self.cases} cases"]
        for name, score in self.scores.items():
            rate = "  n/a" if score.rate is None else f"{score.rate:6.1%}"
            lines.append(f"  {name:<15}{rate}  ({score.correct}/{score.total})")
        if mismatches and self.mismatches:
            lines.append("mismatches:")
            lines.extend(
                f"  [{m.metric}] expected {m.expected!r}, got {m.got!r}: {m.text}"
                for m in self.mismatches
            )
        return "\n".join(lines)


def load_cases(path: Path) -> list[dict[str, Any]]:
    """The labelled texts of an evaluation or training file (`cases:` or `examples:`)."""
    data = load_data(path, RoutingCasesFile)
    cases = data.get("cases") or data.get("examples")
    if not cases:
        raise ValueError(f"{path}: expected a list of cases with a 'text' each")
    return cases


def load_boards(knowledge_dir: Union[str, Path]) -> dict[str, frozenset[str]]:
    """Board domain → the functions that handle its letters (`BOARD_FILE`; empty without it)."""
    path = Path(knowledge_dir) / BOARD_FILE
    if not path.exists():
        return {}
    domains = load_data(path, BoardCategoriesFile)["domains"]
    return {str(d): frozenset(map(str, fns)) for d, fns in domains.items()}


def evaluate(
    router: Router,
    cases: list[dict[str, Any]],
    now: datetime = REFERENCE_TIME,
    boards: Optional[Mapping[str, frozenset[str]]] = None,
) -> Report:
    """Every label compared; `referred` is the recall of emergencies (any number counts: the
    citizen is sent to the emergency services), `left_alone` the share of non-emergencies not
    sent there, and `board` (cases with a `board_category`, given `boards`) whether the routed
    function handles letters of the board's domain."""
    report = Report(cases=len(cases))
    for case in cases:
        result = router.route(str(case["text"]), now=now)
        comparisons = list(_comparisons(router.catalogue, case, result))
        comparisons.extend(_referral(case, result))
        if boards and case.get("board_category"):
            domain = str(case["board_category"]).split("·")[-1].strip()
            comparisons.append(("board", True, result.category in boards.get(domain, ())))
        for metric, expected, got in comparisons:
            if not report.scores[metric].add(expected == got):
                report.mismatches.append(Mismatch(result.text, metric, expected, got))
    return report


def _referral(case: dict[str, Any], result: RoutingResult):
    if case.get("emergency"):
        yield "referred", True, result.emergency is not None
    else:
        yield "left_alone", True, result.emergency is None


def cross_validate(
    knowledge_dir: Union[str, Path],
    folds: int = 5,
    seed: int = 0,
    also: Sequence[dict[str, Any]] = (),
) -> Report:
    """`folds`-fold cross-validation over the router's training file (shuffled with `seed`);
    `also` are examples added to every fold's training data but never routed."""
    knowledge_dir = Path(knowledge_dir)
    base = Router.build(knowledge_dir, use_model=False)
    rules = base.classifier.rules
    examples = load_cases(knowledge_dir / str(rules.model_settings["training"]))
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    report = Report(cases=0)
    for fold in range(folds):
        held_out = set(order[fold::folds])
        trained = [e for i, e in enumerate(examples) if i not in held_out]
        router = Router(
            base.catalogue,
            base.gazetteer,
            Classifier(rules, *train_models([*trained, *also], base.catalogue)),
            base.deadlines,
        )
        report.extend(evaluate(router, [examples[i] for i in sorted(held_out)]))
    return report


def cross_validate_by_source(
    knowledge_dir: Union[str, Path], sources: Sequence[str] = ()
) -> dict[str, Report]:
    """Each source of the training file (all, or those in `sources`) routed by models trained
    on every other example; examples without a `source` are the project's own (`PROJECT`)."""
    knowledge_dir = Path(knowledge_dir)
    base = Router.build(knowledge_dir, use_model=False)
    rules = base.classifier.rules
    examples = load_cases(knowledge_dir / str(rules.model_settings["training"]))
    names = [str(e.get("source") or PROJECT) for e in examples]
    reports = {}
    for source in sources or sorted(set(names)):
        trained = [e for e, name in zip(examples, names, strict=True) if name != source]
        router = Router(
            base.catalogue,
            base.gazetteer,
            Classifier(rules, *train_models(trained, base.catalogue)),
            base.deadlines,
        )
        held_out = [e for e, name in zip(examples, names, strict=True) if name == source]
        reports[source] = evaluate(router, held_out)
    return reports


def _comparisons(catalogue: Catalogue, case: dict[str, Any], result: RoutingResult):
    """(metric, expected, got) for every label the case has."""
    emergency = str(case["emergency"]) if case.get("emergency") else None
    excluded = case.get("excluded") or None
    yield "emergency", emergency, result.emergency
    yield "excluded", excluded, result.excluded
    if case.get("type"):
        yield "type", case["type"], result.type
    if case.get("jurisdiction"):
        yield "jurisdiction", case["jurisdiction"], result.jurisdiction
    if emergency or excluded:
        return
    if case.get("category"):
        yield "category", case["category"], result.category
    if case.get("department"):
        yield "department", _body_key(catalogue, case["department"]), result.department_id
        expected_co = {_body_key(catalogue, name) for name in case.get("co_departments") or ()}
        yield "co_departments", sorted(expected_co), sorted(result.co_department_ids)
    yield "urgent", bool(case.get("urgent")), result.urgent


def _body_key(catalogue: Catalogue, name: str) -> str:
    body = catalogue.resolve(name)
    return body.id if body else normalise_name(name)


def _round(rate: Optional[float]) -> Optional[float]:
    return None if rate is None else round(rate, 4)
