"""What a question asks for (a time, an amount, materials, conditions …) and what answers it.

Citizens ask "要几天", "罚多少", "带什么": the words of such a question say little about the
answer's words ("自受理之日起15日内", "处1000元以下罚款", "身份证、户口簿"), but they say what
kind of sentence answers it. Each type in `knowledge/policy_retrieval.yml` (`question_types`)
has the phrases that ask for it (`cues`) and a regular expression that a sentence answering it
matches (`answer`). Retrieval gives passages matching the asked type a small boost; the concise
answer prefers the sentence of the passage that matches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence


@dataclass(frozen=True)
class QuestionType:
    name: str
    cues: tuple[str, ...]
    answer: re.Pattern[str]
    boost: float
    within: bool = False
    """Whether the boost orders only a document's passages, not documents: the shape of an
    answer that many rules hold (a number of days) tells which clause answers, not which rule."""


def compile_types(settings: Mapping[str, Mapping]) -> tuple[QuestionType, ...]:
    """`question_types` settings → types, in the file's order (the first matching cue wins ties)."""
    types = []
    for name, entry in settings.items():
        try:
            pattern = re.compile(str(entry["answer"]))
        except (KeyError, re.error) as error:
            raise ValueError(f"question_types.{name}: bad answer pattern: {error}") from error
        cues = tuple(str(cue) for cue in entry.get("cues", ()) if str(cue))
        boost = float(entry.get("boost", 0.2))
        types.append(QuestionType(name, cues, pattern, boost, bool(entry.get("within", False))))
    return tuple(types)


def detect(text: str, types: Sequence[QuestionType]) -> tuple[QuestionType, ...]:
    """The types `text` asks for: those with a cue in it (several are possible: 多久、罚多少)."""
    return tuple(kind for kind in types if any(cue in text for cue in kind.cues))


def matches(text: str, asked: Sequence[QuestionType]) -> float:
    """The boost a passage or sentence earns: the sum of the boosts of the asked types it
    matches ("罚多少" asks for a penalty and an amount: 处200元以下罚款 gives both)."""
    return sum(kind.boost for kind in asked if kind.answer.search(text))
