"""The disclosure rules as data: time limits, applicant kinds, reply types with their legal
grounds and report rows, and the intake screening (`knowledge/disclosure/rules.yml`).

Loaded once and checked at load time; a mistake names the file, the line and the field, so the
office can correct a wording without reading Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.disclosure.identity import ID_CHECKS

RULES_FILE = "disclosure/rules.yml"
NOTICE_TEMPLATE = "disclosure/reply_notice.txt.j2"
NEEDS = ("where", "reason", "organ")


class RulesError(ValueError):
    """A mistake in the rules file; the message names file, line and field."""


@dataclass(frozen=True)
class ApplicantKind:
    code: str
    label: str
    organisation: bool


@dataclass(frozen=True)
class IdType:
    code: str
    label: str
    check: str


@dataclass(frozen=True)
class ReplyType:
    """One answer the regulation allows, with the ground a refusal must cite and its report row."""

    code: str
    label: str
    section: str
    item: Optional[int]
    item_label: str
    ground: str
    text: str
    needs: tuple[str, ...]
    refusal: bool
    system: bool

    @property
    def row(self) -> str:
        """The report row key: the section, or section.item for a sub-reason."""
        return f"{self.section}.{self.item}" if self.item else self.section


@dataclass(frozen=True)
class Screen:
    patterns: tuple[re.Pattern, ...]
    message: str

    def matches(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


@dataclass(frozen=True)
class Rules:
    answer_days: int
    extension_max_days: int
    correction_notice_days: int
    correction_period_days: int
    third_party_days: int
    kinds: dict[str, ApplicantKind]
    id_types: dict[str, IdType]
    media: tuple[str, ...]
    deliveries: tuple[str, ...]
    sections: dict[str, str]
    reply_types: dict[str, ReplyType]
    complaint: Screen
    enterprise: Screen
    knowledge_dir: Path

    def kind_by_label(self, label: str) -> Optional[ApplicantKind]:
        label = (label or "").strip()
        for kind in self.kinds.values():
            if label in (kind.code, kind.label):
                return kind
        return None

    @property
    def office_reply_types(self) -> list[ReplyType]:
        """The types a disclosure office may choose (the system decides the others)."""
        return [t for t in self.reply_types.values() if not t.system]


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line number under `__line__` for error messages."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def load_rules(knowledge_dir: Path) -> Rules:
    path = Path(knowledge_dir) / RULES_FILE
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    reader = _Reader(path)
    limits = reader.mapping(data, "time_limits")
    kinds = [
        ApplicantKind(
            reader.text(k, "code"), reader.text(k, "label"), bool(k.get("organisation", False))
        )
        for k in reader.items(data, "applicant_kinds")
    ]
    if [k.code for k in kinds if not k.organisation] != ["natural"]:
        reader.fail(data, "applicant_kinds", "exactly one kind without organisation: natural")
    id_types = [
        IdType(reader.text(t, "code"), reader.text(t, "label"), reader.text(t, "check"))
        for t in reader.items(data, "id_types")
    ]
    for id_type, raw in zip(id_types, reader.items(data, "id_types"), strict=True):
        if id_type.check not in ID_CHECKS:
            reader.fail(raw, "check", f"one of {', '.join(ID_CHECKS)}")
    sections = {
        reader.text(s, "code"): reader.text(s, "label")
        for s in reader.items(data, "report_sections")
    }
    reply_types = [_reply_type(reader, raw, sections) for raw in reader.items(data, "reply_types")]
    screening = reader.mapping(data, "screening")
    return Rules(
        answer_days=reader.number(limits, "answer_within_working_days"),
        extension_max_days=reader.number(limits, "extension_max_working_days"),
        correction_notice_days=reader.number(limits, "correction_notice_within_working_days"),
        correction_period_days=reader.number(limits, "correction_period_working_days"),
        third_party_days=reader.number(limits, "third_party_working_days"),
        kinds={k.code: k for k in kinds},
        id_types={t.code: t for t in id_types},
        media=tuple(str(m) for m in data.get("media") or ()),
        deliveries=tuple(str(d) for d in data.get("deliveries") or ()),
        sections=sections,
        reply_types={t.code: t for t in reply_types},
        complaint=_screen(reader, reader.mapping(screening, "complaint")),
        enterprise=_screen(reader, reader.mapping(screening, "enterprise")),
        knowledge_dir=Path(knowledge_dir),
    )


@lru_cache(maxsize=4)
def cached_rules(knowledge_dir: Path) -> Rules:
    return load_rules(knowledge_dir)


def _reply_type(reader: _Reader, raw: dict, sections: dict[str, str]) -> ReplyType:
    report = reader.mapping(raw, "report")
    section = reader.text(report, "section")
    if section not in sections:
        reader.fail(report, "section", f"one of {', '.join(sections)}")
    needs = tuple(str(n) for n in raw.get("needs") or ())
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        reader.fail(raw, "needs", f"only {', '.join(NEEDS)}")
    text = reader.text(raw, "text")
    for placeholder in re.findall(r"\{(\w+)\}", text):
        if placeholder not in needs:
            reader.fail(raw, "text", f"{{{placeholder}}} must be listed in needs")
    return ReplyType(
        code=reader.text(raw, "code"),
        label=reader.text(raw, "label"),
        section=section,
        item=int(report["item"]) if report.get("item") else None,
        item_label=str(report.get("item_label") or ""),
        ground=reader.text(raw, "ground"),
        text=text,
        needs=needs,
        refusal=bool(raw.get("refusal", False)),
        system=bool(raw.get("system", False)),
    )


def _screen(reader: _Reader, raw: dict) -> Screen:
    patterns = []
    for pattern in raw.get("patterns") or ():
        try:
            patterns.append(re.compile(str(pattern)))
        except re.error as error:
            reader.fail(raw, "patterns", f"a valid regular expression ({pattern}: {error})")
    return Screen(tuple(patterns), reader.text(raw, "message"))


class _Reader:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, raw: Any, field: str, expected: str) -> None:
        line = raw.get("__line__", "?") if isinstance(raw, dict) else "?"
        raise RulesError(f"{self.path}:{line}: field '{field}' must be {expected}")

    def mapping(self, raw: dict, field: str) -> dict:
        value = raw.get(field) if isinstance(raw, dict) else None
        if not isinstance(value, dict):
            self.fail(raw, field, "a mapping")
        return value

    def items(self, raw: dict, field: str) -> list[dict]:
        value = raw.get(field)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(raw, field, "a list of mappings")
        return value

    def text(self, raw: dict, field: str) -> str:
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            self.fail(raw, field, "a non-empty text")
        return value.strip()

    def number(self, raw: dict, field: str) -> int:
        value = raw.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(raw, field, "a positive whole number")
        return value
