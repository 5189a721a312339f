"""Measuring the library on real documents: import a corpus, ask every question, score, compare.

The evaluation set is a folder of documents and a JSON-lines file of questions, each naming
its `doc` (file name), its `answer` (a span of that document) and one or more wordings (the
annotator's, the citizen's). The corpus is imported with `kb import` into an otherwise empty
library, then every wording is asked:

- doc@1: the first result comes from the question's document;
- span@3: the answer span lies in one of the first three results' passages;
- answer@1: the answer span lies in the first result's concise answer.

The baseline is the plain approach the issue names: jieba words and BM25 (bm25s) over windows
of three consecutive sentences of every document, no structure, synonyms or weights.
Out-of-scope questions (no document answers them) count when answered confidently.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from bot.documents import sentences
from bot.policy.importer import Outcome, import_tree
from bot.policy.kb import KnowledgeBase
from bot.policy.readers import UnreadableDocument, read_text_file

KNOWLEDGE_FILES = (
    "dictionary",
    "synonyms.yml",
    "policy_stopwords.txt",
    "policy_retrieval.yml",
    "regions.tsv",
    "pinyin.tsv",
)
WINDOW = 3


class LibraryEvalError(ValueError):
    """The question file is malformed."""


@dataclass(frozen=True)
class LibraryQuestion:
    id: str
    doc: str
    answer: str
    wordings: dict[str, str]


@dataclass
class Scores:
    questions: int = 0
    doc_at_1: int = 0
    span_at_3: int = 0
    answer_at_1: int = 0
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float]:
        n = max(self.questions, 1)
        return {
            "questions": self.questions,
            "doc@1": round(self.doc_at_1 / n, 3),
            "span@3": round(self.span_at_3 / n, 3),
            "answer@1": round(self.answer_at_1 / n, 3),
        }


def load_questions(path: Path) -> list[LibraryQuestion]:
    """JSON lines with id, doc, answer and wordings (every other text field, e.g. annotator)."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise LibraryEvalError(f"{path}:{number}: {error}") from error
        if not isinstance(data, dict):
            raise LibraryEvalError(f"{path}:{number}: expected an object")
        wordings = {
            key: value
            for key, value in data.items()
            if key not in {"id", "doc", "answer"} and isinstance(value, str) and value
        }
        if not wordings:
            raise LibraryEvalError(f"{path}:{number}: no question wording")
        items.append(
            LibraryQuestion(
                str(data.get("id", number)),
                str(data.get("doc", "")),
                str(data.get("answer", "")),
                wordings,
            )
        )
    return items


def normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def contains(passage: str, span: str) -> bool:
    return bool(span) and normalise(span) in normalise(passage)


def library_for(
    corpus: Path, knowledge_dir: Path, scratch: Path, today: Optional[date] = None
) -> tuple[KnowledgeBase, list[Outcome]]:
    """A knowledge base of exactly the documents in `corpus` (imported with `kb import`)."""
    root = scratch / "knowledge"
    root.mkdir(parents=True)
    for name in KNOWLEDGE_FILES:
        if (knowledge_dir / name).exists():
            (root / name).symlink_to((knowledge_dir / name).resolve())
    outcomes = import_tree(corpus, root / "policies", today=today)
    return KnowledgeBase.load(root, cache_dir=scratch / "cache"), outcomes


def score_library(
    kb: KnowledgeBase, questions: Sequence[LibraryQuestion], today: Optional[date] = None
) -> dict[str, Scores]:
    """Scores per wording (annotator, citizen, …) of the library's answers."""
    doc_of = {policy.id: Path(policy.source_file).name for policy in kb.policies}
    scores: dict[str, Scores] = {}
    for item in questions:
        for wording, question in item.wordings.items():
            tally = scores.setdefault(wording, Scores())
            tally.questions += 1
            answer = kb.ask(question, top_k=3, today=today)
            results = answer.results
            if results and doc_of.get(results[0].policy_id) == item.doc:
                tally.doc_at_1 += 1
            else:
                tally.misses.append(f"{item.id} {wording}: {question}")
            if any(
                contains(r.text, item.answer) or contains(r.answer, item.answer)
                for r in results[:3]
            ):
                tally.span_at_3 += 1
            if results and contains(results[0].answer, item.answer):
                tally.answer_at_1 += 1
    return scores


def score_out_of_scope(kb: KnowledgeBase, questions: Sequence[str]) -> int:
    """How many out-of-scope questions were answered confidently (lower is better)."""
    return sum(1 for question in questions if kb.ask(question).confident)


def baseline_windows(corpus: Path) -> tuple[list[str], list[str]]:
    """The baseline's passages: every three consecutive sentences of every readable file
    under `corpus`, and the file name each comes from."""
    windows: list[str] = []
    owners: list[str] = []
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        try:
            text, _ = read_text_file(path, 50 * 2**20)
        except UnreadableDocument:
            continue
        parts = [s for line in text.splitlines() for s in sentences(line)]
        for start in range(max(len(parts) - WINDOW + 1, 1)):
            windows.append("".join(parts[start : start + WINDOW]))
            owners.append(path.name)
    return windows, owners


def baseline_tokens(text: str) -> list[str]:
    """The baseline's analysis: jieba's default cut, blanks dropped."""
    import jieba

    return [w for w in jieba.lcut(text) if w.strip()]


def score_baseline(corpus: Path, questions: Sequence[LibraryQuestion]) -> dict[str, Scores]:
    """Plain jieba + BM25 over three-sentence windows (see module docstring)."""
    import bm25s

    windows, owners = baseline_windows(corpus)
    tokenise = baseline_tokens
    retriever = bm25s.BM25()
    retriever.index([tokenise(w) for w in windows], show_progress=False)
    scores: dict[str, Scores] = {}
    for item in questions:
        for wording, question in item.wordings.items():
            tally = scores.setdefault(wording, Scores())
            tally.questions += 1
            found, _ = retriever.retrieve([tokenise(question)], k=3, show_progress=False)
            top = [int(i) for i in np.asarray(found)[0]]
            if owners[top[0]] == item.doc:
                tally.doc_at_1 += 1
            if any(contains(windows[i], item.answer) for i in top):
                tally.span_at_3 += 1
            if contains(windows[top[0]], item.answer):
                tally.answer_at_1 += 1
    return scores


def evaluate_corpus(
    corpus: Path,
    questions_path: Path,
    knowledge_dir: Path,
    out_of_scope: Optional[Path] = None,
    baseline: bool = True,
) -> dict:
    """The whole evaluation as one JSON-ready report."""
    questions = load_questions(questions_path)
    with tempfile.TemporaryDirectory() as scratch:
        kb, outcomes = library_for(corpus, knowledge_dir, Path(scratch))
        report: dict = {
            "documents": len(outcomes),
            "imported": sum(1 for o in outcomes if o.status == "imported"),
            "not_imported": [o.line() for o in outcomes if o.status != "imported"],
            "library": {w: s.as_dict() for w, s in score_library(kb, questions).items()},
            "misses": {w: s.misses for w, s in score_library(kb, questions).items()},
        }
        if out_of_scope:
            asked = [item.wordings.get("question", "") for item in load_questions(out_of_scope)]
            report["out_of_scope"] = {
                "questions": len(asked),
                "confident": score_out_of_scope(kb, asked),
            }
    if baseline:
        report["baseline"] = {w: s.as_dict() for w, s in score_baseline(corpus, questions).items()}
    return report
