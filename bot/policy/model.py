"""What a policy in the knowledge base is: metadata, numbered clauses, 解读材料 and 政策问答.

One YAML file in `knowledge/policies/` holds one policy; `bot.policy.loader` reads and checks
it. Clauses keep the document's own numbering (`id` like "2.5", label 第5条, citation
（二）政策解读 第5条) so that answers can say exactly where they come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Optional

INTERPRETATION_FIELDS = (
    "背景依据",
    "目标任务",
    "主要内容",
    "涉及范围",
    "执行标准",
    "注意事项",
    "关键词诠释",
    "惠民利民举措",
    "新旧政策差异",
)
"""The parts of 解读材料 listed by the city's rules (实施细则 第6条), in that order."""

TERM_FIELD = "关键词诠释"


@dataclass(frozen=True)
class Clause:
    id: str
    label: str
    title: str
    text: str
    reference: str
    headings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    has_children: bool = False
    line: int = 0

    @property
    def full_text(self) -> str:
        """The paragraph as written: title sentence and body."""
        if self.title and self.text:
            return f"{self.title}。{self.text}"
        return self.text or self.title


@dataclass(frozen=True)
class Interpretation:
    """One paragraph of 解读材料 under one of `INTERPRETATION_FIELDS`."""

    field: str
    text: str
    term: str = ""
    clause_id: Optional[str] = None


@dataclass(frozen=True)
class QAPair:
    question: str
    answer: str
    clause_id: str
    alternatives: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    issuer: str
    sample: bool
    clauses: tuple[Clause, ...]
    doc_no: str = ""
    url: str = ""
    published: Optional[date] = None
    effective: Optional[date] = None
    expires: Optional[date] = None
    notes_title: str = ""
    interpretation: tuple[Interpretation, ...] = ()
    qa: tuple[QAPair, ...] = ()
    asked: tuple[QAPair, ...] = ()
    source: Optional[Path] = None
    kind: str = "policy"
    interprets: str = ""
    supersedes: tuple[str, ...] = ()
    source_file: str = ""
    _by_id: dict[str, Clause] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((clause.id, clause) for clause in self.clauses)

    @property
    def pairs(self) -> tuple[QAPair, ...]:
        """The 问答 pairs the library answers from: the reviewed 问答 shown on the policy's
        page, then the asked questions (`asked`: questions citizens really asked, each answered
        with the clause's own words; searched, not shown)."""
        return self.qa + self.asked

    def clause(self, clause_id: Optional[str]) -> Optional[Clause]:
        return self._by_id.get(clause_id) if clause_id else None

    def is_expired(self, today: Optional[date] = None) -> bool:
        return self.expires is not None and self.expires < (today or date.today())

    def is_pending(self, today: Optional[date] = None) -> bool:
        """Published but not yet in force."""
        return self.effective is not None and self.effective > (today or date.today())
