"""Asked questions (问法): how citizens really put their questions, each answered in the words of
the clause that answers it (`Policy.asked`; searched like 问答 pairs, never shown on a page).

They come from two places, and `python -m bot kb asked` writes both into the policy files for a
reviewer to read in the diff before they are committed:
- labelled question files (what `python -m bot eval qa` reads: {q, clause, facts}): each
  question answered with its clause's sentence holding the facts;
- the 12345 operators' feedback on the console's suggestions (`suggestion_feedback`): a
  suggestion an operator used as it was is the answer to the caller's question (already masked
  when it was stored), when it is the clause's own words.

A policy file's `asked:` section is rewritten whole, last in the file, one entry a line, each
naming its `source` (a labelled file's name, or `feedback`), so `eval qa --leave-out SOURCE`
measures a set without its own questions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

import yaml

from bot.policy.loader import MAX_QA_ANSWER_CHARS, load_policy, squeezed
from bot.policy.model import Policy

FEEDBACK_SOURCE = "feedback"
_SENTENCE_END = re.compile(r"(?<=[。；！？])")
_COMMA = re.compile(r"(?<=[，、：])")
_SECTION = re.compile(r"^(# 问法 \(asked questions\).*\n)?asked:", re.MULTILINE)
_HEADER = (
    "# 问法 (asked questions): written by `python -m bot kb asked`; each answer is the clause's\n"
    "# own words. Review the diff: an asked question is knowledge the library answers from.\n"
)


@dataclass(frozen=True)
class AskedEntry:
    question: str
    answer: str
    clause: str
    source: str

    def line(self) -> str:
        fields = {"q": self.question, "a": self.answer, "clause": self.clause, "source": self.source}
        return "- {" + ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()) + "}\n"


def answer_for(text: str, facts: Sequence[str]) -> Optional[str]:
    """The shortest run of `text` holding every fact: its sentence, or within a sentence too
    long for an answer the fewest comma-separated pieces around them."""
    wanted = [squeezed(f) for f in facts if f]
    if not wanted:
        return None
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not all(f in squeezed(sentence) for f in wanted):
            continue
        if len(sentence) <= MAX_QA_ANSWER_CHARS:
            return sentence
        pieces = _COMMA.split(sentence)
        best = None
        for start in range(len(pieces)):
            for end in range(start + 1, len(pieces) + 1):
                run = "".join(pieces[start:end]).strip()
                if len(run) > MAX_QA_ANSWER_CHARS:
                    break
                if all(f in squeezed(run) for f in wanted) and (best is None or len(run) < len(best)):
                    best = run
        return best
    return None


def from_labelled(policy: Policy, paths: Iterable[Path]) -> list[AskedEntry]:
    """The asked questions of `policy` in labelled files (out-of-scope items, questions of no
    clause of it, and those whose facts its clause does not hold are left out)."""
    found = []
    for path in paths:
        source = path.stem if path.stem != "questions" else path.parent.name
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("questions") or []:
            clause = policy.clause(str(item.get("clause") or ""))
            if item.get("none") or clause is None:
                continue
            answer = answer_for(clause.full_text, [str(f) for f in item.get("facts") or []])
            if answer:
                found.append(AskedEntry(str(item["q"]).strip(), answer, clause.id, source))
    return found


def from_feedback(policy: Policy, rows: Iterable[tuple[str, Optional[str], str]]) -> list[AskedEntry]:
    """Asked questions from operators' used suggestions: (question, clause id, suggestion)
    rows of `policy`, kept when the suggestion is the clause's own words."""
    found = []
    for question, clause_id, suggestion in rows:
        clause = policy.clause(clause_id)
        answer = suggestion.strip()
        if clause is None or not answer or len(answer) > MAX_QA_ANSWER_CHARS:
            continue
        if squeezed(answer) in squeezed(clause.full_text):
            found.append(AskedEntry(question.strip(), answer, clause.id, FEEDBACK_SOURCE))
    return found


def merged(policy: Policy, new: Sequence[AskedEntry], replace_sources: set[str]) -> list[AskedEntry]:
    """`policy`'s asked questions with `new` added: entries of `replace_sources` are replaced
    by the new ones; a question already asked (or a 问答 pair's) is not added twice."""
    kept = [
        AskedEntry(p.question, p.answer, p.clause_id, p.source)
        for p in policy.asked
        if p.source not in replace_sources
    ]
    seen = {p.question for p in policy.qa} | {e.question for e in kept}
    for entry in new:
        if entry.question not in seen:
            seen.add(entry.question)
            kept.append(entry)
    return kept


def write(path: Path, entries: Sequence[AskedEntry]) -> None:
    """Rewrite the `asked:` section of the policy file at `path` (last in the file), then load
    it again: a wrong entry raises `PolicyFileError` naming its line, and the file is restored."""
    before = path.read_text(encoding="utf-8")
    cut = _SECTION.search(before)
    text = before[: cut.start()] if cut else before
    if cut and re.search(r"^[^\s#-]", before[cut.end() :], re.MULTILINE):
        raise ValueError(f"{path}: the asked: section must be the file's last")
    if entries:
        text = text.rstrip("\n") + "\n" + _HEADER + "asked:\n" + "".join(e.line() for e in entries)
    path.write_text(text, encoding="utf-8")
    try:
        load_policy(path)
    except Exception:
        path.write_text(before, encoding="utf-8")
        raise
