"""Drafts put out for comment: YAML files in knowledge/drafts/ synced into the database, imports
of plain-text or Markdown drafts, and finding a draft or a clause from what a citizen typed.

A draft's clauses come from `bot.documents`: articles (第三条) when the draft has them, otherwise
the numbered items one level below the top (二（一）), so a citizen can say which part an opinion
is about. Once a draft has opinions its clauses are fixed; a changed text needs a new draft.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Optional

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import local_day
from bot.consultation.forms import (
    MIN_WINDOW_DAYS,
    Ambiguous,
    ConsultationError,
    DraftForm,
    NotFound,
)
from bot.consultation.models import PHASE_LABELS, Clause, Draft, Opinion
from bot.db import utcnow
from bot.documents import Node, cn_number, detect_format, parse_document
from bot.knowledge_files import DraftFile, KnowledgeFileError, load_data
from bot.text import clean

DRAFTS_SUBDIR = "drafts"
IMPORT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
IMPORT_MAX_BYTES = 1_000_000
GENERAL_WORDS = {"", "整体", "全文", "总体", "总体意见", "综合", "无", "不针对具体条款", "其他"}
_HEADING_KINDS = {"chapter", "part"}
_QUOTES = "“”\"'‘’「」『』《》"
_NOT_TITLE = re.compile(r"[（(]?(征求意见稿|示例|草案)[)）]?|[\s，,。、：:（）()《》“”\"'-]")
_CLAUSE_NUMBER = re.compile(r"第?([0-9一二三四五六七八九十百零两]+)[条项款]?")
_DRAFT_NUMBER = re.compile(r"(?:第|#|编号)?\s*(\d{1,6})\s*号?")


@dataclass(frozen=True)
class ClauseSpec:
    position: int
    label: str
    number: Optional[int]
    title: str
    heading: str
    text: str


@dataclass(frozen=True)
class ParsedDraft:
    title: str
    preamble: str
    clauses: list[ClauseSpec]


@dataclass(frozen=True)
class DraftInfo:
    """What a list of drafts shows (chat, web, CLI): plain data, safe to use after the session."""

    id: int
    slug: str
    title: str
    department: str
    opens_on: date
    closes_on: date
    phase: str
    phase_label: str
    sample: bool
    opinion_count: int
    path: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["opens_on"] = self.opens_on.isoformat()
        data["closes_on"] = self.closes_on.isoformat()
        return data


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def parse_draft_text(text: str, fmt: str = "text") -> ParsedDraft:
    """Title, preamble and commentable clauses of a draft's text (see module docstring)."""
    document = parse_document(text, fmt)
    nodes = list(document.walk())
    has_articles = any(node.kind == "article" for node in nodes)
    chosen = [node for node in nodes if _is_clause(node, has_articles)]
    specs: list[ClauseSpec] = []
    seen: set[str] = set()
    for position, node in enumerate(chosen, start=1):
        label = _clause_label(node)
        if label in seen:
            label = node.reference()
        if label in seen or len(label) > 60:
            raise ConsultationError(f"条款编号重复或过长：{label}，请检查正文的编号")
        seen.add(label)
        specs.append(
            ClauseSpec(
                position=position,
                label=label,
                number=node.number if _item_depth(node) == 0 else None,
                title=(node.title if node.kind != "labelled" else "")[:200],
                heading=" ".join(a.heading for a in node.ancestors())[:200],
                text=_folded_text(node),
            )
        )
    if not specs:
        raise ConsultationError("没有识别出条款：正文应按“第一条”“一、（一）”或“1.”等方式编号")
    return ParsedDraft(title=document.title, preamble=document.preamble, clauses=specs)


def _item_depth(node: Node) -> int:
    return sum(1 for a in node.ancestors() if a.kind not in _HEADING_KINDS)


def _is_clause(node: Node, has_articles: bool) -> bool:
    if node.kind in _HEADING_KINDS:
        return False
    if node.kind == "labelled":
        return True
    if has_articles:
        return node.kind == "article"
    depth = _item_depth(node)
    return depth == 1 or (depth == 0 and not node.children)


def _clause_label(node: Node) -> str:
    if node.kind in {"article", "labelled"} or (node.kind == "arabic" and _item_depth(node) == 0):
        return node.label
    chain = [a for a in node.ancestors() if a.kind not in _HEADING_KINDS] + [node]
    return "".join(part.marker.rstrip("、") for part in chain)


def _folded_text(node: Node) -> str:
    """The clause's own wording followed by its sub-items, each with its marker."""
    own = node.text if node.kind == "labelled" else node.full_text
    lines = [own] if own else []

    def add(children: list[Node]) -> None:
        for child in children:
            lines.append(f"{child.marker}{child.full_text}")
            add(child.children)

    add(node.children)
    return "\n".join(line for line in lines if line)


def draft_form_from_yaml(path: Path) -> tuple[DraftForm, str]:
    """The form and text format described by one knowledge/drafts/*.yml file."""
    try:
        data = load_data(path, DraftFile)
    except KnowledgeFileError as error:
        raise ConsultationError(str(error)) from error
    text = str(data["text"])
    form = DraftForm(
        slug=str(data.get("id") or path.stem),
        title=str(data["title"]),
        department=str(data["department"]),
        opens_on=data["opens_on"],
        closes_on=data["closes_on"],
        text=text,
        summary=str(data.get("summary") or ""),
        contact=str(data.get("contact") or ""),
        short_window_reason=data.get("short_window_reason"),
        status=str(data.get("status") or "draft"),
        sample=bool(data.get("sample", False)),
        source=f"{DRAFTS_SUBDIR}/{path.name}",
    )
    return form, str(data.get("format") or detect_format(path.name, text))


def save_draft(
    session: Session,
    form: DraftForm,
    fmt: str = "text",
    *,
    actor: str,
    now: Optional[datetime] = None,
) -> tuple[Draft, str]:
    """Create or update the draft `form` describes; returns it with created/updated/unchanged.

    Refuses to change the clauses of a draft that already has opinions.
    """
    now = now or utcnow()
    form = form.validate()
    parsed = parse_draft_text(form.text, fmt)
    fingerprint = _fingerprint(form, parsed)
    draft = session.execute(select(Draft).where(Draft.slug == form.slug)).scalar_one_or_none()
    if draft is not None and draft.source_hash == fingerprint:
        return draft, "unchanged"
    created = draft is None
    if created:
        draft = Draft(slug=form.slug, created_at=now)
        session.add(draft)
    elif _clause_rows(draft.clauses) != _clause_rows(parsed.clauses) and _has_opinions(
        session, draft
    ):
        raise ConsultationError(
            f"《{draft.title}》已收到意见，不能再修改条款；如需修改正文，请另行发布新的征求意见稿"
        )
    draft.title = form.title
    draft.department = form.department
    draft.summary = form.summary
    draft.preamble = parsed.preamble
    draft.contact = form.contact
    draft.opens_on = form.opens_on
    draft.closes_on = form.closes_on
    draft.short_window_reason = form.short_window_reason
    draft.sample = form.sample
    draft.source = form.source
    draft.source_hash = fingerprint
    draft.updated_at = now
    if draft.status != "summarised":
        draft.status = form.status
    if created or _clause_rows(draft.clauses) != _clause_rows(parsed.clauses):
        draft.clauses.clear()
        session.flush()
        draft.clauses.extend(Clause(**asdict(spec)) for spec in parsed.clauses)
    session.flush()
    action = "consultation.draft_created" if created else "consultation.draft_updated"
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="consultation_draft",
        entity_id=str(draft.id),
        detail={
            "slug": draft.slug,
            "status": draft.status,
            "window": [draft.opens_on.isoformat(), draft.closes_on.isoformat()],
            "clauses": len(parsed.clauses),
            "source": form.source,
        },
        at=now,
    )
    return draft, "created" if created else "updated"


def _fingerprint(form: DraftForm, parsed: ParsedDraft) -> str:
    payload = {**asdict(form), "clauses": [asdict(c) for c in parsed.clauses]}
    return hashlib.sha256(json.dumps(payload, default=str, sort_keys=True).encode()).hexdigest()


def _clause_rows(clauses: list) -> list[tuple]:
    return [(c.label, c.title, c.text) for c in clauses]


def _has_opinions(session: Session, draft: Draft) -> bool:
    return (
        session.execute(select(Opinion.id).where(Opinion.draft_id == draft.id).limit(1)).first()
        is not None
    )


def sync_drafts(
    session: Session,
    knowledge_dir: Path,
    *,
    actor: str = "system:sync",
    now: Optional[datetime] = None,
) -> SyncReport:
    """Bring the database in line with knowledge/drafts/*.yml; one bad file does not stop the rest."""
    report = SyncReport()
    for path in sorted((knowledge_dir / DRAFTS_SUBDIR).glob("*.yml")):
        try:
            form, fmt = draft_form_from_yaml(path)
            with session.begin_nested():
                draft, result = save_draft(session, form, fmt, actor=actor, now=now)
        except ConsultationError as exc:
            report.errors.append((path.name, str(exc)))
            continue
        getattr(report, result).append(draft.slug)
    return report


def import_draft(
    session: Session,
    source: Path,
    knowledge_dir: Path,
    *,
    department: str,
    title: Optional[str] = None,
    opens_on: Optional[date] = None,
    closes_on: Optional[date] = None,
    contact: str = "",
    summary: str = "",
    slug: Optional[str] = None,
    short_window_reason: Optional[str] = None,
    status: str = "draft",
    overwrite: bool = False,
    actor: str = "staff:cli",
    now: Optional[datetime] = None,
) -> Draft:
    """Import a text/Markdown/HTML draft: write knowledge/drafts/<slug>.yml and save it.

    The YAML file stays the reviewable source of the draft; `consult sync` reads it back.
    """
    now = now or utcnow()
    text = _read_source(source)
    fmt = detect_format(source.name, text)
    parsed = parse_draft_text(text, fmt)
    opens_on = opens_on or local_day(now)
    closes_on = closes_on or opens_on + timedelta(days=MIN_WINDOW_DAYS - 1)
    title = title or parsed.title
    slug = slug or _slug_for(source, title or text)
    form = DraftForm(
        slug=slug,
        title=title or "",
        department=department,
        opens_on=opens_on,
        closes_on=closes_on,
        text=text,
        summary=summary,
        contact=contact,
        short_window_reason=short_window_reason,
        status=status,
        source=f"{DRAFTS_SUBDIR}/{slug}.yml",
    ).validate()
    drafts_dir = (knowledge_dir / DRAFTS_SUBDIR).resolve()
    target = (drafts_dir / f"{form.slug}.yml").resolve()
    if target.parent != drafts_dir:
        raise ConsultationError(f"稿件标识 {form.slug!r} 无效")
    if target.exists() and not overwrite:
        raise ConsultationError(f"{target.name} 已存在；确认覆盖请加 --overwrite")
    draft, _ = save_draft(session, form, fmt, actor=actor, now=now)
    drafts_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(_draft_yaml(form, fmt), encoding="utf-8")
    return draft


def _read_source(source: Path) -> str:
    if source.is_symlink() or not source.is_file():
        raise ConsultationError(f"{source.name} 不是普通文件")
    if source.suffix.lower() not in IMPORT_SUFFIXES:
        raise ConsultationError(f"只能导入 {'、'.join(sorted(IMPORT_SUFFIXES))} 文件")
    if source.stat().st_size > IMPORT_MAX_BYTES:
        raise ConsultationError(f"{source.name} 超过 {IMPORT_MAX_BYTES // 1000} KB")
    try:
        return source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConsultationError(f"{source.name} 不是 UTF-8 编码的文本") from exc


def _slug_for(source: Path, title: str) -> str:
    stem = source.stem.lower()
    if re.fullmatch(r"[a-z0-9][a-z0-9-]{2,63}", stem):
        return stem
    return "draft-" + hashlib.sha256(title.encode()).hexdigest()[:10]


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks so the draft text stays readable."""


_BlockDumper.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None
    ),
)


def _draft_yaml(form: DraftForm, fmt: str) -> str:
    data = {
        "id": form.slug,
        "sample": form.sample,
        "title": form.title,
        "department": form.department,
        "summary": form.summary,
        "contact": form.contact,
        "opens_on": form.opens_on,
        "closes_on": form.closes_on,
        "short_window_reason": form.short_window_reason,
        "status": form.status,
        "format": fmt,
        "text": form.text.rstrip("\n") + "\n",
    }
    return yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False)


def opinion_counts(session: Session, draft_ids: Optional[list[int]] = None) -> dict[int, int]:
    query = select(Opinion.draft_id, func.count(Opinion.id)).group_by(Opinion.draft_id)
    if draft_ids is not None:
        query = query.where(Opinion.draft_id.in_(draft_ids))
    return {draft_id: count for draft_id, count in session.execute(query)}


def info(draft: Draft, today: date, opinion_count: int = 0) -> DraftInfo:
    phase = draft.phase(today)
    return DraftInfo(
        id=draft.id,
        slug=draft.slug,
        title=draft.display_title,
        department=draft.department,
        opens_on=draft.opens_on,
        closes_on=draft.closes_on,
        phase=phase,
        phase_label=PHASE_LABELS[phase],
        sample=draft.sample,
        opinion_count=opinion_count,
        path=f"/consultations/{draft.id}",
    )


def list_drafts(
    session: Session, today: date, *, include_unreleased: bool = False, counted: bool = True
) -> list[DraftInfo]:
    """Drafts with their window, phase and opinion count, open ones first, then by closing date.
    Without `counted` every `opinion_count` is 0 and no opinion is counted (a popular draft's
    tens of thousands would be, for a chat that shows none)."""
    query = select(Draft).order_by(Draft.closes_on.desc(), Draft.id)
    if not include_unreleased:
        query = query.where(Draft.status != "draft")
    drafts = list(session.execute(query).scalars())
    counts = opinion_counts(session, [d.id for d in drafts]) if counted else {}
    infos = [info(d, today, counts.get(d.id, 0)) for d in drafts]
    return sorted(infos, key=lambda i: i.phase != "open")


def open_drafts(session: Session, today: date, *, counted: bool = False) -> list[DraftInfo]:
    """Drafts accepting opinions on `today` (what the chat offers a citizen: their opinions are
    counted only with `counted`)."""
    return [i for i in list_drafts(session, today, counted=counted) if i.phase == "open"]


def get_draft(session: Session, draft_id: int, *, public: bool = True) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None or (public and not draft.is_public):
        raise NotFound(f"没有编号为 {draft_id} 的征求意见稿")
    return draft


def resolve_draft(session: Session, query: str, *, public: bool = True) -> Draft:
    """The draft a citizen or staff member means: its number (3, 3号), slug or part of its title.

    Raises `NotFound`, or `Ambiguous` with the candidates when several titles match equally.
    """
    text = clean(query, 200).strip().strip(_QUOTES)
    number = _DRAFT_NUMBER.fullmatch(text)
    if number:
        return get_draft(session, int(number.group(1)), public=public)
    candidates_query = select(Draft).order_by(Draft.id)
    if public:
        candidates_query = candidates_query.where(Draft.status != "draft")
    drafts = list(session.execute(candidates_query).scalars())
    for draft in drafts:
        if draft.slug == text.lower():
            return draft
    wanted = _NOT_TITLE.sub("", text)
    if not wanted:
        raise NotFound("请说明是哪一份征求意见稿（标题中的关键词或编号）")
    scored = [(_title_score(wanted, _NOT_TITLE.sub("", d.title)), d) for d in drafts]
    best = max((score for score, _ in scored), default=0.0)
    if best < 0.5:
        raise NotFound(f"没有找到与“{text}”相符的征求意见稿")
    matches = [d for score, d in scored if score == best]
    if len(matches) > 1:
        titles = "、".join(f"{d.id}号《{d.title}》" for d in matches)
        raise Ambiguous(f"有多份征求意见稿符合“{text}”：{titles}，请说明编号", matches)
    return matches[0]


def _title_score(wanted: str, title: str) -> float:
    """1.0 when `wanted` is part of the title, else the share of its character pairs in it."""
    if wanted in title:
        return 1.0
    pairs = {wanted[i : i + 2] for i in range(len(wanted) - 1)}
    if not pairs:
        return 0.0
    return sum(1 for pair in pairs if pair in title) / len(pairs)


def resolve_clause(draft: Draft, query: Optional[str]) -> Optional[Clause]:
    """The clause meant by 第三条 / 第3条 / 3 / 二（一） / a quoted piece of its text.

    None means an opinion on the draft as a whole (empty, 整体, 全文...).
    """
    text = clean(query or "", 200).strip().strip(_QUOTES).strip()
    if text in GENERAL_WORDS:
        return None
    compact = _compact(text)
    for clause in draft.clauses:
        if _compact(clause.label) == compact:
            return clause
    number = _CLAUSE_NUMBER.fullmatch(compact)
    value = cn_number(number.group(1)) if number else None
    if value is not None:
        numbered = [c for c in draft.clauses if c.number == value]
        if len(numbered) == 1:
            return numbered[0]
    if len(text) >= 4:
        hits = [c for c in draft.clauses if text in c.text or text in c.title]
        if len(hits) == 1:
            return hits[0]
        if hits:
            labels = "、".join(c.label for c in hits[:8])
            raise Ambiguous(f"“{text}”出现在多个条款中：{labels}，请说明是哪一条", hits)
    labels = "、".join(c.label for c in draft.clauses[:12])
    more = " 等" if len(draft.clauses) > 12 else ""
    raise NotFound(f"《{draft.title}》中没有找到“{text}”；可选条款：{labels}{more}")


def _compact(text: str) -> str:
    return re.sub(r"[\s、，,.．（）()]", "", text)
