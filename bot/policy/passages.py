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
from typing import Optional

from bot.documents import sentences
from bot.policy.answers import sentence_at
from bot.policy.model import TERM_FIELD, Clause, Interpretation, Policy


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

    @property
    def key(self) -> tuple[str, str]:
        """Results with the same key would repeat each other: a clause and the Q&A pairs
        resting on it share one; each 解读 paragraph has its own, being other content."""
        if self.clause is not None and self.kind != "interpretation":
            return self.policy.id, self.clause.id
        return self.policy.id, f"{self.kind}:{self.suggestion}:{self.answer[:20]}"


def policy_passages(policy: Policy) -> list[Passage]:
    passages = []
    for clause in policy.clauses:
        if clause.text or not clause.has_children:
            passages.append(clause_passage(policy, clause))
            passages.extend(_sentence_passages(policy, clause))
    for pair in policy.qa:
        clause = policy.clause(pair.clause_id)
        passages.append(
            _passage(
                "qa",
                policy,
                clause,
                {"question": "\n".join((pair.question, *pair.alternatives)), "answer": pair.answer},
                answer=pair.answer,
                text=source_text(policy, clause) if clause else pair.answer,
                suggestion=pair.question,
            )
        )
    for section, entries in _interpretation_sections(policy):
        term = entries[0].term if section == TERM_FIELD else ""
        text = "\n".join(entry.text for entry in entries)
        passages.append(
            _passage(
                "interpretation",
                policy,
                policy.clause(entries[0].clause_id) if term else None,
                {"title": f"{section} {term}".strip(), "body": text},
                answer=text,
                text=text,
                suggestion=f"解读：{term or section}",
                section=section,
            )
        )
    return passages


def source_text(policy: Policy, clause: Clause) -> str:
    """The clause as shown to a reader: its text, then its notes (e.g. 对应考核指标)."""
    if not clause.notes:
        return clause.full_text
    return f"{clause.full_text}\n{policy.notes_title or '备注'}：{'；'.join(clause.notes)}"


def clause_passage(policy: Policy, clause: Clause) -> Passage:
    """The whole clause as one passage (also what a "具体是哪一条" follow-up shows)."""
    return _passage(
        "clause",
        policy,
        clause,
        {"title": _title(clause), "body": clause.text, "notes": "\n".join(clause.notes)},
        answer=clause.full_text,
        text=source_text(policy, clause),
        suggestion=_suggestion(clause),
    )


def _sentence_passages(policy: Policy, clause: Clause) -> list[Passage]:
    parts = sentences(clause.text)
    if len(parts) < 2:
        return []
    return [
        _passage(
            "sentence",
            policy,
            clause,
            {"title": _title(clause), "body": part},
            answer=sentence_at(parts, index),
            text=source_text(policy, clause),
            suggestion=_suggestion(clause),
        )
        for index, part in enumerate(parts)
    ]


def _passage(
    kind: str, policy: Policy, clause: Optional[Clause], fields: dict[str, str], **rest: str
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
