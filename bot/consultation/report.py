"""The adoption summary (采纳情况) as data, and its HTML, Markdown and JSON forms.

`build_content` turns the current decisions into the public content of a summary: statistics and,
per clause, each opinion group with its decision and reason. It is the only place opinions leave
the database towards the public, so every text is masked here (names, phone numbers, ID numbers)
and no receipt number, name, phone or sender id is copied. Rendering works from that content
alone, so a published version can be re-rendered or checked against its hash at any time.

Templates are Jinja2 with autoescape on for every value.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.consultation.models import OUTCOMES, Clause, Draft, Opinion, OpinionGroup
from bot.privacy import is_personal, mask, mask_name, mask_phone

GENERAL_LABEL = "总体意见"
CONCENTRATED_MIN = 5
EXCERPT_CHARS = 300
TEMPLATES = Path(__file__).resolve().parent / "templates"
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
OUTCOME_COLOURS = {
    "adopted": "#2e7d32",
    "partially_adopted": "#9ccc65",
    "not_adopted": "#e57373",
    "not_applicable": "#90a4ae",
}


def public_text(text: str, name: Optional[str] = None, phone: Optional[str] = None) -> str:
    """An opinion's words as they may be published: the author's own name and number first
    (wherever they appear), then anything `bot.privacy.mask` recognises."""
    if name and len(name) >= 2:
        text = text.replace(name, mask_name(name))
    if phone:
        text = text.replace(phone, mask_phone(phone))
    text = mask(text)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def build_content(session: Session, draft: Draft) -> dict[str, Any]:
    """The public content of the adoption summary from the current (internal) decisions."""
    counts = dict(
        session.execute(
            select(Opinion.group_id, func.count(Opinion.id))
            .where(Opinion.draft_id == draft.id)
            .group_by(Opinion.group_id)
        ).all()
    )
    groups = list(
        session.execute(
            select(OpinionGroup).where(OpinionGroup.draft_id == draft.id).order_by(OpinionGroup.id)
        ).scalars()
    )
    groups = [g for g in groups if counts.get(g.id)]
    representatives = {
        row.group_id: row
        for row in session.execute(
            select(OpinionGroup.id.label("group_id"), Opinion.text, Opinion.name, Opinion.phone)
            .join(Opinion, Opinion.id == OpinionGroup.representative_id)
            .where(OpinionGroup.draft_id == draft.id)
        )
    }
    by_clause: dict[Optional[int], list[dict[str, Any]]] = defaultdict(list)
    for group in groups:
        source = representatives.get(group.id)
        outcome = OUTCOMES.get(group.outcome or "")
        by_clause[group.clause_id].append(
            {
                "id": group.id,
                "opinions": counts[group.id],
                "concentrated": counts[group.id] >= CONCENTRATED_MIN,
                "summary": public_text(source.text, source.name, source.phone) if source else "",
                "keywords": [
                    k for k in (group.keywords or "").split("、") if k and not is_personal(k)
                ],
                "outcome": outcome.code if outcome else None,
                "outcome_label": outcome.label if outcome else "待研究",
                "reason": mask(group.reason or ""),
            }
        )
    sections = []
    clauses: list[Optional[Clause]] = [None, *draft.clauses]
    for clause in clauses:
        entries = sorted(
            by_clause.get(clause.id if clause else None, []), key=lambda e: -e["opinions"]
        )
        if not entries:
            continue
        sections.append(
            {
                "label": clause.label if clause else GENERAL_LABEL,
                "title": clause.title if clause else "",
                "heading": clause.heading if clause else "",
                "opinions": sum(e["opinions"] for e in entries),
                "groups": entries,
            }
        )
    return {
        "draft": {
            "id": draft.id,
            "slug": draft.slug,
            "title": draft.display_title,
            "department": draft.department,
            "opens_on": draft.opens_on.isoformat(),
            "closes_on": draft.closes_on.isoformat(),
            "sample": draft.sample,
        },
        "statistics": _statistics(sections),
        "sections": sections,
    }


def _statistics(sections: list[dict[str, Any]]) -> dict[str, Any]:
    entries = [entry for section in sections for entry in section["groups"]]
    total = sum(e["opinions"] for e in entries)
    by_outcome = {}
    for code, outcome in OUTCOMES.items():
        chosen = [e for e in entries if e["outcome"] == code]
        opinions = sum(e["opinions"] for e in chosen)
        by_outcome[code] = {
            "label": outcome.label,
            "opinions": opinions,
            "groups": len(chosen),
            "share": round(opinions / total, 4) if total else 0.0,
        }
    return {
        "opinions": total,
        "groups": len(entries),
        "concentrated_groups": sum(1 for e in entries if e["concentrated"]),
        "by_outcome": by_outcome,
    }


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the content's canonical JSON: what the reviewer approved is what is published."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def template_environment(*more_folders: Path) -> Environment:
    """Jinja2 on templates/ (then `more_folders`), autoescaping every value."""
    return Environment(
        loader=FileSystemLoader([str(TEMPLATES), *map(str, more_folders)]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def _summary_template():
    return template_environment().get_template("summary.html")


def render_html(content: dict[str, Any], meta: dict[str, Any]) -> str:
    """The self-contained HTML page (chart embedded as an SVG data URI).

    `meta`: version, published_at (text), supersedes (earlier version or None), preview (bool).
    """
    return _summary_template().render(
        content=content,
        meta=meta,
        chart=outcome_chart(content),
        concentrated_min=CONCENTRATED_MIN,
    )


def render_markdown(content: dict[str, Any], meta: dict[str, Any]) -> str:
    draft, stats = content["draft"], content["statistics"]
    lines = [f"# 《{draft['title']}》征求意见采纳情况"]
    if meta.get("preview"):
        lines.append("\n> 内部预览：尚未审核，不得公开。")
    lines.append(
        f"\n起草部门：{draft['department']}　征求意见时间：{draft['opens_on']} 至 {draft['closes_on']}"
    )
    if meta.get("version"):
        lines.append(
            f"版本：第{meta['version']}版　发布时间：{meta.get('published_at') or '未发布'}"
        )
    if not stats["opinions"]:
        lines.append("\n征求意见期间未收到意见。")
        return "\n".join(lines) + "\n"
    lines.append(
        f"\n共收到意见 {stats['opinions']} 条，归纳为 {stats['groups']} 组，"
        f"其中相对集中的意见 {stats['concentrated_groups']} 组。\n"
    )
    lines += ["| 处理结果 | 意见数 | 占比 | 组数 |", "|---|---:|---:|---:|"]
    for item in stats["by_outcome"].values():
        lines.append(
            f"| {item['label']} | {item['opinions']} | {item['share']:.1%} | {item['groups']} |"
        )
    for section in content["sections"]:
        title = f" {section['title']}" if section["title"] else ""
        lines += [
            f"\n## {section['label']}{title}（{section['opinions']} 条）\n",
            "| 组 | 意见摘要 | 意见数 | 处理结果 | 理由或说明 |",
            "|---|---|---:|---|---|",
        ]
        for entry in section["groups"]:
            mark = "（相对集中）" if entry["concentrated"] else ""
            cells = [
                str(entry["id"]),
                _md_cell(entry["summary"]),
                f"{entry['opinions']}{mark}",
                entry["outcome_label"],
                _md_cell(entry["reason"]),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def to_public_json(content: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    return {**meta, **content}


@lru_cache(maxsize=1)
def _cjk_font():
    from matplotlib.font_manager import FontProperties

    for path in CJK_FONTS:
        if Path(path).exists():
            return FontProperties(fname=path)
    return None


def outcome_chart(content: dict[str, Any], max_sections: int = 15) -> Optional[str]:
    """Stacked bars of opinions per clause by outcome, as an SVG data URI.

    None when no CJK font is installed (Chinese labels would show as boxes): the page then shows
    the statistics table alone.
    """
    font = _cjk_font()
    sections = sorted(content["sections"], key=lambda s: -s["opinions"])[:max_sections]
    if font is None or not sections:
        return None
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [s["label"] for s in sections][::-1]
    figure = Figure(figsize=(7.5, 1.2 + 0.38 * len(labels)))
    axes = figure.add_subplot()
    left = [0] * len(labels)
    for code, outcome in OUTCOMES.items():
        values = [
            sum(e["opinions"] for e in s["groups"] if e["outcome"] == code) for s in sections
        ][::-1]
        axes.barh(labels, values, left=left, color=OUTCOME_COLOURS[code], label=outcome.label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(range(len(labels)))
    axes.set_yticklabels(labels, fontproperties=font)
    axes.set_xlabel("意见数（条）", fontproperties=font)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(
        prop=font, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(OUTCOMES), frameon=False
    )
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "zhoushan"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
