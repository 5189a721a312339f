"""Reading policy YAML files and checking them, with errors that name the file and the line.

The files are edited by hand, so a typo must point at its line ("policies/x.yml:42: qa[3]:
clause '2.9' does not exist") rather than fail somewhere in retrieval. Every problem in a file
is collected before raising, so `python -m bot kb validate` shows them all at once.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Optional

from bot.documents import citation, heading
from bot.knowledge_files import (
    KnowledgeFileError,
    LocatedList,
    LocatedMap,
    Problem,
    read_located,
)
from bot.policy.model import (
    INTERPRETATION_FIELDS,
    TERM_FIELD,
    Clause,
    Interpretation,
    Policy,
    QAPair,
)

MAX_QA_ANSWER_CHARS = 200
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
_TOP_KEYS = {
    "id": True,
    "title": True,
    "issuer": True,
    "sample": True,
    "structure": True,
    "doc_no": False,
    "url": False,
    "published": False,
    "effective": False,
    "expires": False,
    "notes_title": False,
    "interpretation": False,
    "qa": False,
    "asked": False,
    "content_sha": False,
    "source_file": False,
    "kind": False,
    "interprets": False,
    "supersedes": False,
    "reviewed": False,
    "published_version": False,
    "register": False,
}
_KINDS = ("policy", "interpretation")
_NODE_KEYS = {"id", "label", "title", "text", "notes", "children"}
_QA_KEYS = {"q", "a", "clause", "alt"}
_ASKED_KEYS = {"q", "a", "clause", "source"}
_ENTRY_KEYS = {"text", "clause", "term"}


_log = logging.getLogger(__name__)


def is_published_file(path: Path) -> bool:
    """Whether the entry at `path` carries the `published_version` the register sync writes."""
    try:
        with path.open(encoding="utf-8") as handle:
            return any(
                line.startswith("published_version:")
                for _, line in zip(range(10), handle, strict=False)
            )
    except (OSError, UnicodeDecodeError):
        return False


class PolicyFileError(KnowledgeFileError):
    """One or more problems in policy files; `problems` lists them with file and line."""


def load_policy(path: Path, text: Optional[str] = None) -> Policy:
    """The policy in `path` (or in `text`, to be written there), or `PolicyFileError` listing
    every problem found in it."""
    checker = _Checker(path)
    policy = checker.policy(checker.parse(text))
    if checker.problems or policy is None:
        raise PolicyFileError(checker.problems or [Problem(path, 1, "not a policy")])
    return policy


def load_policies(directory: Path, published_only: bool = False) -> list[Policy]:
    """All `*.yml`/`*.yaml` in `directory`, sorted by file name; ids must be unique.

    With `published_only`, a file without `published_version` (an entry written by anything
    but the register, `bot.policy.publication.sync`) is left out: it was never reviewed."""
    problems: list[Problem] = []
    policies: list[Policy] = []
    seen: dict[str, Path] = {}
    paths = sorted([*directory.rglob("*.yml"), *directory.rglob("*.yaml")])
    for path in paths:
        if published_only and not is_published_file(path):
            _log.warning("%s: no published_version (not through review): not served", path)
            continue
        try:
            policy = load_policy(path)
        except PolicyFileError as error:
            problems.extend(error.problems)
            continue
        if policy.id in seen:
            problems.append(Problem(path, 1, f"id '{policy.id}' already used by {seen[policy.id]}"))
            continue
        seen[policy.id] = path
        policies.append(policy)
    if problems:
        raise PolicyFileError(problems)
    return policies


class _Checker:
    """Turns located YAML into a `Policy`, recording a `Problem` for everything malformed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def fail(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def parse(self, text: Optional[str] = None) -> Any:
        return read_located(self.path, self.problems, text)

    def policy(self, data: Any) -> Optional[Policy]:
        if data is None:
            return None
        if not isinstance(data, LocatedMap):
            self.fail(1, "expected a mapping of policy fields at the top level")
            return None
        self.keys(data, _TOP_KEYS, "policy")
        for key, required in _TOP_KEYS.items():
            if required and key not in data:
                self.fail(data.line, f"missing required field '{key}'")
        policy_id = self.text(data, "id")
        if policy_id and not _ID.match(policy_id):
            self.fail(
                data.key_lines["id"], f"id '{policy_id}' must be lowercase letters, digits and '-'"
            )
        elif policy_id and policy_id != self.path.stem:
            self.fail(
                data.key_lines["id"],
                f"id '{policy_id}' must match the file name '{self.path.stem}'",
            )
        sample = data.get("sample")
        if "sample" in data and not isinstance(sample, bool):
            self.fail(data.key_lines["sample"], "sample must be true or false")
        url = self.text(data, "url", required=False)
        if url and not re.match(r"^https?://\S+$", url):
            self.fail(
                data.key_lines["url"], f"url must start with http:// or https://, got '{url}'"
            )
        dates = {name: self.date(data, name) for name in ("published", "effective", "expires")}
        if dates["effective"] and dates["expires"] and dates["expires"] < dates["effective"]:
            self.fail(data.key_lines["expires"], "expires is before effective")
        kind = self.text(data, "kind", required=False) or "policy"
        if kind not in _KINDS:
            self.fail(data.key_lines["kind"], f"kind must be one of {', '.join(_KINDS)}, got '{kind}'")
        supersedes = data.get("supersedes") or []
        if not isinstance(supersedes, list) or not all(isinstance(s, str) for s in supersedes):
            self.fail(
                data.key_lines.get("supersedes", data.line),
                "supersedes must be a list of titles, 文号 or policy ids",
            )
            supersedes = []
        clauses = self.structure(data)
        known = {clause.id for clause in clauses}
        interpretation = self.interpretation(data, known)
        qa = self.qa(data, known)
        asked = self.asked(data, {clause.id: clause for clause in clauses})
        if self.problems:
            return None
        return Policy(
            id=policy_id,
            title=self.text(data, "title"),
            issuer=self.text(data, "issuer"),
            sample=bool(sample),
            clauses=tuple(clauses),
            doc_no=self.text(data, "doc_no", required=False),
            url=url,
            notes_title=self.text(data, "notes_title", required=False),
            interpretation=tuple(interpretation),
            qa=tuple(qa),
            asked=tuple(asked),
            source=self.path,
            kind=kind,
            interprets=self.text(data, "interprets", required=False),
            supersedes=tuple(s.strip() for s in supersedes),
            source_file=self.text(data, "source_file", required=False),
            **dates,
        )

    def keys(self, data: LocatedMap, allowed: Iterable[str], where: str) -> None:
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                expected = ", ".join(allowed)
                self.fail(
                    data.key_lines[key], f"unknown field '{key}' in {where} (expected: {expected})"
                )

    def text(self, data: LocatedMap, key: str, required: bool = True, where: str = "") -> str:
        value = data.get(key)
        line = data.key_lines.get(key, data.line)
        if value is None or value == "":
            if required and key in data:
                self.fail(line, f"{where}{key} must not be empty")
            elif required and where:
                self.fail(line, f"{where}missing '{key}'")
            return ""
        if isinstance(value, float):
            self.fail(line, f"{where}{key} {value} reads as a number: quote it, e.g. '{value}'")
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.fail(line, f"{where}{key} must be text")
            return ""
        return str(value).strip()

    def date(self, data: LocatedMap, key: str) -> Optional[date]:
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(data.key_lines[key], f"{key} must be a date like 2017-09-30, got '{value}'")
            return None

    def structure(self, data: LocatedMap) -> list[Clause]:
        nodes = data.get("structure")
        if "structure" not in data:
            return []
        if not isinstance(nodes, LocatedList) or not nodes:
            self.fail(data.key_lines["structure"], "structure must be a non-empty list of clauses")
            return []
        clauses: list[Clause] = []
        self.nodes(nodes, [], [], clauses)
        seen: dict[str, int] = {}
        for clause in clauses:
            if clause.id in seen:
                self.fail(
                    clause.line, f"clause id '{clause.id}' already used on line {seen[clause.id]}"
                )
            seen.setdefault(clause.id, clause.line)
        return clauses

    def nodes(self, nodes: LocatedList, headings: list[str], titles: list[str], out: list[Clause]) -> None:
        for node, line in zip(nodes, nodes.item_lines, strict=False):
            if not isinstance(node, LocatedMap):
                self.fail(line, "each clause must be a mapping with id, label and title or text")
                continue
            self.keys(node, _NODE_KEYS, "clause")
            where = f"clause '{node.get('id', '?')}': "
            clause_id = self.text(node, "id", where=where)
            label = self.text(node, "label", where=where)
            title = self.text(node, "title", required=False)
            body = self.text(node, "text", required=False)
            if not title and not body:
                self.fail(node.line, f"{where}needs a title or a text")
            notes = node.get("notes") or []
            if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
                self.fail(
                    node.key_lines.get("notes", node.line), f"{where}notes must be a list of texts"
                )
                notes = []
            out.append(
                Clause(
                    id=clause_id,
                    label=label,
                    title=title,
                    text=body,
                    reference=citation(headings, label),
                    headings=tuple(titles),
                    notes=tuple(n.strip() for n in notes),
                    has_children=bool(node.get("children")),
                    line=node.line,
                )
            )
            children = node.get("children")
            if children is None:
                continue
            if not isinstance(children, LocatedList):
                self.fail(node.key_lines["children"], f"{where}children must be a list")
                continue
            child_titles = [*titles, title] if title else titles
            self.nodes(children, [*headings, heading(label, title)], child_titles, out)

    def interpretation(self, data: LocatedMap, known: set[str]) -> list[Interpretation]:
        section = data.get("interpretation")
        if section is None:
            return []
        if not isinstance(section, LocatedMap):
            self.fail(
                data.key_lines["interpretation"], "interpretation must map 解读 fields to lists"
            )
            return []
        self.keys(section, INTERPRETATION_FIELDS, "interpretation")
        entries: list[Interpretation] = []
        for name in INTERPRETATION_FIELDS:
            items = section.get(name)
            if items is None:
                continue
            if isinstance(items, str):
                items = LocatedList([items])
                items.item_lines = [section.key_lines[name]]
            if not isinstance(items, LocatedList):
                self.fail(section.key_lines[name], f"{name} must be a text or a list of entries")
                continue
            for item, line in zip(items, items.item_lines, strict=False):
                entry = self.entry(name, item, line, known)
                if entry:
                    entries.append(entry)
        return entries

    def entry(self, name: str, item: Any, line: int, known: set[str]) -> Optional[Interpretation]:
        if isinstance(item, str):
            if name == TERM_FIELD:
                self.fail(line, f"{name} entries need 'term' and 'text'")
                return None
            return Interpretation(field=name, text=item.strip())
        if not isinstance(item, LocatedMap):
            self.fail(line, f"{name} entries must be texts or mappings with 'text'")
            return None
        self.keys(item, _ENTRY_KEYS, name)
        text = self.text(item, "text", where=f"{name}: ")
        term = self.text(item, "term", required=name == TERM_FIELD, where=f"{name}: ")
        clause_id = self.clause_ref(item, known, f"{name}: ")
        return (
            Interpretation(field=name, text=text, term=term, clause_id=clause_id) if text else None
        )

    def qa(self, data: LocatedMap, known: set[str]) -> list[QAPair]:
        items = data.get("qa")
        if items is None:
            return []
        if not isinstance(items, LocatedList):
            self.fail(data.key_lines["qa"], "qa must be a list of {q, a, clause}")
            return []
        pairs = []
        for index, (item, line) in enumerate(zip(items, items.item_lines, strict=False)):
            where = f"qa[{index}]: "
            if not isinstance(item, LocatedMap):
                self.fail(line, f"{where}expected a mapping with q, a and clause")
                continue
            self.keys(item, _QA_KEYS, "qa")
            question = self.text(item, "q", where=where)
            answer = self.text(item, "a", where=where)
            if len(answer) > MAX_QA_ANSWER_CHARS:
                self.fail(
                    item.key_lines["a"],
                    f"{where}answer has {len(answer)} characters; keep it within {MAX_QA_ANSWER_CHARS}",
                )
            clause_id = self.clause_ref(item, known, where, required=True)
            alternatives = item.get("alt") or []
            if not isinstance(alternatives, list) or not all(
                isinstance(a, str) for a in alternatives
            ):
                self.fail(
                    item.key_lines.get("alt", item.line), f"{where}alt must be a list of questions"
                )
                alternatives = []
            if question and answer and clause_id:
                pairs.append(
                    QAPair(question, answer, clause_id, tuple(a.strip() for a in alternatives))
                )
        return pairs

    def asked(self, data: LocatedMap, clauses: dict[str, Clause]) -> list[QAPair]:
        """The asked questions (问法): questions citizens really asked, each with the clause
        that answers it and the answer in the clause's own words (`a` must be a passage of
        that clause's text, so an edit of the text that drops it is caught here)."""
        items = data.get("asked")
        if items is None:
            return []
        if not isinstance(items, LocatedList):
            self.fail(data.key_lines["asked"], "asked must be a list of {q, a, clause}")
            return []
        pairs = []
        for index, (item, line) in enumerate(zip(items, items.item_lines, strict=False)):
            where = f"asked[{index}]: "
            if not isinstance(item, LocatedMap):
                self.fail(line, f"{where}expected a mapping with q, a and clause")
                continue
            self.keys(item, _ASKED_KEYS, "asked")
            question = self.text(item, "q", where=where)
            answer = self.text(item, "a", where=where)
            clause_id = self.clause_ref(item, set(clauses), where, required=True)
            if len(answer) > MAX_QA_ANSWER_CHARS:
                self.fail(
                    item.key_lines["a"],
                    f"{where}answer has {len(answer)} characters; keep it within {MAX_QA_ANSWER_CHARS}",
                )
                continue
            clause = clauses.get(clause_id or "")
            if clause is not None and answer and squeezed(answer) not in squeezed(clause.full_text):
                self.fail(
                    item.key_lines["a"],
                    f"{where}answer is not in the text of clause '{clause_id}': quote the clause",
                )
                continue
            if question and answer and clause_id:
                pairs.append(
                    QAPair(question, answer, clause_id, source=self.text(item, "source", required=False))
                )
        return pairs

    def clause_ref(
        self, item: LocatedMap, known: set[str], where: str, required: bool = False
    ) -> Optional[str]:
        clause_id = self.text(item, "clause", required=required, where=where)
        if required and "clause" not in item:
            self.fail(item.line, f"{where}missing 'clause' (the clause id it rests on)")
        if clause_id and clause_id not in known:
            self.fail(
                item.key_lines["clause"], f"{where}clause '{clause_id}' does not exist in structure"
            )
            return None
        return clause_id or None


def squeezed(text: str) -> str:
    """`text` without its spaces and line breaks: how an asked question's answer is found in
    its clause (here, in `bot.policy.asked` and when a re-import keeps it)."""
    return "".join(text.split())
