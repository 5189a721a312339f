"""What gets indexed: each clause, each of its sentences, each 政策问答 pair, each 解读 paragraph.

A whole clause gathers the words of one numbered item; its sentences are indexed on their own
as well, because a clause of ten sentences dilutes the one sentence a question is about
(BM25 length normalisation) while that sentence alone, being short, scores high. Both carry the
clause's title and the headings above it in a separate `title` field, so "政策解读" in a question
finds all of section （二）. Q&A pairs keep their questions in a `question` field, apart from the
answer, because they are written the way people ask. All passages resting on one clause share
its citation, and only the best of them is shown. Each part of 解读材料 (背景依据, 目标任务, …) is one passage, as
a question about it wants the whole part; 关键词诠释 is split by term.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import numpy as np

from bot.documents import sentences
from bot.policy.answers import sentence_at
from bot.policy.index import mapped
from bot.policy.model import TERM_FIELD, Clause, Interpretation, Policy
from bot.policy.qtypes import QuestionType


@dataclass(frozen=True)
class Passage:
    kind: str
    policy: Policy
    clause: Optional[Clause]
    fields: dict[str, str]
    answer: str
    text: str
    suggestion: str
    section: str = ""
    part: int = -1
    """The number of its clause, 问答 pair or 解读 part in its policy (`make_passage`)."""
    sentence: int = -1
    """A sentence passage's number among its clause's sentences."""

    @property
    def asked(self) -> bool:
        """An asked question (`Policy.asked`): how citizens put it, not what the policy says."""
        return self.kind == "qa" and self.part >= len(self.policy.qa)

    @property
    def key(self) -> tuple[str, str]:
        """Results with the same key would repeat each other: a clause and the Q&A pairs
        resting on it share one; each 解读 paragraph has its own, being other content."""
        if self.clause is not None and self.kind != "interpretation":
            return self.policy.id, self.clause.id
        return self.policy.id, f"{self.kind}:{self.suggestion}:{self.answer[:20]}"


PASSAGE_KINDS = ("clause", "sentence", "qa", "interpretation")
_TABLE_ARRAYS = ("policy_number", "kinds", "keys", "types", "part", "sentence")


class PassageTable(Sequence[Passage]):
    """Every passage of a library as arrays, a `Passage` object made when asked for.

    A city library has hundreds of thousands of passages; as objects they would be most of a
    process's memory and of its start. Passages are a pure function of their policy
    (`policy_passages`), so the table keeps, per passage, its policy's number, its kind and
    its place in the policy (`Passage.part`, `Passage.sentence`), the number of its
    `Passage.key` (passages sharing a key repeat each other) and the question types its
    text answers (`type_masks`, a bit per type). Only the passages shown are made, alone
    (`make_passage`): a question looks at thousands and shows a handful.
    """

    def __init__(self, policies: Sequence[Policy], arrays: dict[str, np.ndarray]) -> None:
        self.policies = policies
        self.policy_number: np.ndarray = arrays["policy_number"]
        self.kinds: np.ndarray = arrays["kinds"]
        self.keys: np.ndarray = arrays["keys"]
        self.types: np.ndarray = arrays["types"]
        self.part: np.ndarray = arrays["part"]
        self.sentence: np.ndarray = arrays["sentence"]

    @classmethod
    def build(
        cls,
        policies: Sequence[Policy],
        passages: Sequence[Passage],
        types: Sequence[QuestionType] = (),
    ) -> PassageTable:
        """The table of `passages`, which are those of `policies` in order; `types`: the
        question types of `type_masks`."""
        number = {policy.id: i for i, policy in enumerate(policies)}
        arrays = passage_arrays(passages, types)
        arrays["policy_number"] = np.array([number[p.policy.id] for p in passages], dtype=np.int32)
        return cls(policies, arrays)

    @classmethod
    def load(cls, folder: Path, policies: Sequence[Policy]) -> PassageTable:
        arrays = {name: mapped(folder / f"passages.{name}.npy") for name in _TABLE_ARRAYS}
        return cls(policies, arrays)

    def save(self, folder: Path) -> None:
        for name in _TABLE_ARRAYS:
            np.save(folder / f"passages.{name}.npy", getattr(self, name))

    def __len__(self) -> int:
        return len(self.policy_number)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = int(index)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return make_passage(
            self.policies[int(self.policy_number[index])],
            PASSAGE_KINDS[int(self.kinds[index])],
            int(self.part[index]),
            int(self.sentence[index]),
        )

    def __iter__(self) -> Iterator[Passage]:
        for policy in self.policies:
            yield from policy_passages(policy)


def policy_passages(policy: Policy) -> list[Passage]:
    passages = []
    for number, clause in enumerate(policy.clauses):
        if clause.text or not clause.has_children:
            passages.append(clause_passage(policy, clause, number))
            parts = sentences(clause.text)
            if len(parts) >= 2:
                passages.extend(
                    _sentence_passage(policy, number, parts, index) for index in range(len(parts))
                )
    passages.extend(_qa_passage(policy, number) for number in range(len(policy.pairs)))
    sections = _interpretation_sections(policy)
    passages.extend(_interpretation_passage(policy, sections, number) for number in range(len(sections)))
    return passages


def make_passage(policy: Policy, kind: str, part: int, sentence: int = -1) -> Passage:
    """The passage of `policy` of this kind and place (`Passage.part`, `Passage.sentence`),
    as `policy_passages` makes it, without making the policy's other passages."""
    if kind == "clause":
        return clause_passage(policy, policy.clauses[part], part)
    if kind == "sentence":
        return _sentence_passage(policy, part, sentences(policy.clauses[part].text), sentence)
    if kind == "qa":
        return _qa_passage(policy, part)
    return _interpretation_passage(policy, _interpretation_sections(policy), part)


def passage_arrays(
    passages: Sequence[Passage], types: Sequence[QuestionType]
) -> dict[str, np.ndarray]:
    """The `PassageTable` arrays of one policy's `passages` but its number: their kinds,
    places, question-type bits and keys (numbered from 0)."""
    kind_code = {kind: code for code, kind in enumerate(PASSAGE_KINDS)}
    key_ids: dict[tuple[str, str], int] = {}
    return {
        "kinds": np.array([kind_code[p.kind] for p in passages], dtype=np.int8),
        "keys": np.array([key_ids.setdefault(p.key, len(key_ids)) for p in passages], dtype=np.int32),
        "types": type_masks(passages, types),
        "part": np.array([p.part for p in passages], dtype=np.int32),
        "sentence": np.array([p.sentence for p in passages], dtype=np.int32),
    }


def type_masks(passages: Sequence[Passage], types: Sequence[QuestionType]) -> np.ndarray:
    """Per passage, a bit per question type (numbered in `types`' order) whose answer pattern
    its text (body, else answer) matches: computed once when the index is built, as
    `KnowledgeBase._rerank` looks at thousands of passages per question."""
    masks = np.zeros(len(passages), dtype=np.int32)
    for position, passage in enumerate(passages):
        text = passage.fields.get("body") or passage.answer
        masks[position] = sum(
            1 << number for number, kind in enumerate(types) if kind.answer.search(text)
        )
    return masks


def _qa_passage(policy: Policy, number: int) -> Passage:
    pair = policy.pairs[number]
    clause = policy.clause(pair.clause_id)
    return _passage(
        "qa",
        policy,
        clause,
        {"question": "\n".join((pair.question, *pair.alternatives)), "answer": pair.answer},
        answer=pair.answer,
        text=source_text(policy, clause) if clause else pair.answer,
        # a quick-reply button offers a reviewed question, or an asked one's clause: a citizen's
        # own wording (typos and all) is never offered as a button
        suggestion=_suggestion(clause) if clause and number >= len(policy.qa) else pair.question,
        part=number,
    )


def _interpretation_passage(
    policy: Policy, sections: list[tuple[str, list[Interpretation]]], number: int
) -> Passage:
    section, entries = sections[number]
    term = entries[0].term if section == TERM_FIELD else ""
    text = "\n".join(entry.text for entry in entries)
    return _passage(
        "interpretation",
        policy,
        policy.clause(entries[0].clause_id) if term else None,
        {"title": f"{section} {term}".strip(), "body": text},
        answer=text,
        text=text,
        suggestion=f"解读：{term or section}",
        section=section,
        part=number,
    )


def source_text(policy: Policy, clause: Clause) -> str:
    """The clause as shown to a reader: its text, then its notes (e.g. 对应考核指标)."""
    if not clause.notes:
        return clause.full_text
    return f"{clause.full_text}\n{policy.notes_title or '备注'}：{'；'.join(clause.notes)}"


def clause_passage(policy: Policy, clause: Clause, number: int = -1) -> Passage:
    """The whole clause (number `number` of the policy's) as one passage (also what a
    "具体是哪一条" follow-up shows)."""
    return _passage(
        "clause",
        policy,
        clause,
        {"title": _title(clause), "body": clause.text, "notes": "\n".join(clause.notes)},
        answer=clause.full_text,
        text=source_text(policy, clause),
        suggestion=_suggestion(clause),
        part=number,
    )


def _sentence_passage(policy: Policy, number: int, parts: list[str], index: int) -> Passage:
    """Sentence `index` of clause `number` (`parts`: its sentences) as a passage of its own."""
    clause = policy.clauses[number]
    return _passage(
        "sentence",
        policy,
        clause,
        {"title": _title(clause), "body": parts[index]},
        answer=sentence_at(parts, index),
        text=source_text(policy, clause),
        suggestion=_suggestion(clause),
        part=number,
        sentence=index,
    )


def _passage(
    kind: str, policy: Policy, clause: Optional[Clause], fields: dict[str, str], **rest: Any
) -> Passage:
    """Every passage also carries its document's title (`policy` field), so a question naming
    the policy, its issuer or its subject finds that document among thousands."""
    fields = {**fields, "policy": policy.title}
    return Passage(kind=kind, policy=policy, clause=clause, fields=fields, **rest)


def _interpretation_sections(policy: Policy) -> list[tuple[str, list[Interpretation]]]:
    """Each 关键词诠释 term on its own; every other part of 解读材料 as one passage."""
    sections: dict[str, list[Interpretation]] = {}
    terms = []
    for entry in policy.interpretation:
        if entry.field == TERM_FIELD:
            terms.append((entry.field, [entry]))
        else:
            sections.setdefault(entry.field, []).append(entry)
    return [*sections.items(), *terms]


def _title(clause: Clause) -> str:
    return " ".join((*clause.headings, clause.title))


def _suggestion(clause: Clause) -> str:
    return f"{clause.label} {clause.title}".strip()


def lead_in_sentence(text: str) -> bool:
    """Whether `text` ends by announcing what follows (下列条件：, 具体安排如下)."""
    return text.rstrip().endswith(("：", ":", "如下", "如下。"))
