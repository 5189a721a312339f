"""Review, then publish (先审查、后公开) the adoption summary, and register every publication.

1. `draft_summary` (staff, after the comment window): every opinion grouped, every group decided;
   the public content is built and hashed.
2. `approve_summary` (a reviewer who did not draft it) or `return_summary` (back to staff).
3. `publish_summary`: the approved content, unchanged since approval, is rendered, archived in the
   publication register (信息发布登记: content and hash, unit, reviewer, publisher, time, channel,
   version; the register is the one record, `publication` reads it), copied into each group's
   published decision, and the citizens who asked are queued for a message.

A published version is never edited (see the guards in models.py): a correction is a new version
through the same three steps, and the old one stays readable as "superseded".
"""

from __future__ import annotations

import json
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator, Mapping, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import audit, notices, publishing
from bot.accounts import Principal
from bot.clock import local, local_day
from bot.consultation.drafts import get_draft
from bot.consultation.forms import ConsultationError, NotFound, PermissionDenied, require_role
from bot.consultation.models import (
    OUTCOMES,
    SUMMARY_APPROVED,
    SUMMARY_DRAFTED,
    SUMMARY_PUBLISHED,
    SUMMARY_RETURNED,
    SUMMARY_SUPERSEDED,
    Clause,
    Draft,
    Opinion,
    OpinionGroup,
    Summary,
)
from bot.consultation.report import build_content, content_hash, render_html
from bot.db import utcnow
from bot.privacy import mask
from bot.text import clean

PENDING_STATES = (SUMMARY_DRAFTED, SUMMARY_RETURNED, SUMMARY_APPROVED)
REGISTER_KIND = "consultation_summary"
NOTIFY_MAX_LINES = 10


def draft_summary(
    session: Session, draft_id: int, *, actor: Principal, now: Optional[datetime] = None
) -> Summary:
    """Build the summary from the current decisions: a new version, or a refresh of the one
    still waiting for review (which then needs reviewing again)."""
    require_role(actor, "staff")
    now = now or utcnow()
    draft = get_draft(session, draft_id, public=False)
    if draft.status == "draft" or (draft.status == "open" and local_day(now) <= draft.closes_on):
        raise ConsultationError(
            f"《{draft.title}》征求意见至{draft.closes_on:%Y年%m月%d日}，结束后才能起草采纳情况"
        )
    ungrouped = _count(
        session, Opinion.id, Opinion.draft_id == draft.id, Opinion.group_id.is_(None)
    )
    if ungrouped:
        raise ConsultationError(f"还有{ungrouped}条意见没有归组，请先归组（consult group）")
    undecided = _count(
        session, OpinionGroup.id, OpinionGroup.draft_id == draft.id, OpinionGroup.outcome.is_(None)
    )
    if undecided:
        raise ConsultationError(f"还有{undecided}组意见没有处理决定，请先逐组作出决定")
    content = build_content(session, draft)
    summary = pending_summary(session, draft.id)
    if summary is None:
        latest = session.execute(
            select(func.max(Summary.version)).where(Summary.draft_id == draft.id)
        ).scalar_one()
        summary = Summary(draft_id=draft.id, version=(latest or 0) + 1)
        session.add(summary)
    summary.content = content
    summary.content_hash = content_hash(content)
    summary.state = SUMMARY_DRAFTED
    summary.drafted_by = actor.actor
    summary.drafted_at = now
    summary.reviewed_by = summary.reviewed_at = summary.review_note = None
    session.flush()
    with _shared_review():
        publishing.submit(
            session,
            REGISTER_KIND,
            register_reference(draft.id),
            content,
            draft.department,
            actor.actor,
            title=f"《{draft.title}》意见采纳情况（第{summary.version}版）",
            now=now,
        )
    _audit(session, actor, "consultation.summary_drafted", summary, now)
    return summary


def approve_summary(
    session: Session,
    draft_id: int,
    *,
    actor: Principal,
    checklist: Optional[Mapping[str, Any]] = None,
    note: str = "",
    now: Optional[datetime] = None,
) -> Summary:
    """A reviewer other than the drafter approves the summary waiting for review, confirming
    the 保密审查 checklist (stored with the approval in the shared review, `bot.publishing`)."""
    require_role(actor, "reviewer")
    now = now or utcnow()
    summary = _awaiting(session, draft_id, SUMMARY_DRAFTED, "没有待审核的采纳情况")
    if _username(summary.drafted_by) == actor.username:
        raise PermissionDenied("起草人不能审核自己起草的采纳情况：先审查、后公开，须由另一人审核")
    _refuse_if_stale(session, summary)
    with _shared_review():
        publishing.approve(
            session,
            _review_item(session, draft_id).id,
            reviewer=actor.actor,
            checklist=checklist or {},
            now=now,
        )
    summary.state = SUMMARY_APPROVED
    summary.reviewed_by = actor.actor
    summary.reviewed_at = now
    summary.review_note = clean(note, 500) or None
    session.flush()
    _audit(session, actor, "consultation.summary_approved", summary, now)
    return summary


def return_summary(
    session: Session, draft_id: int, *, actor: Principal, note: str, now: Optional[datetime] = None
) -> Summary:
    """A reviewer sends the summary back to staff with what to change."""
    require_role(actor, "reviewer")
    now = now or utcnow()
    note = clean(note, 500)
    if len(note) < 2:
        raise ConsultationError("退回时请写明需要修改的内容")
    summary = _awaiting(session, draft_id, SUMMARY_DRAFTED, "没有待审核的采纳情况")
    with _shared_review():
        publishing.refuse(
            session, _review_item(session, draft_id).id, reviewer=actor.actor, reason=note, now=now
        )
    summary.state = SUMMARY_RETURNED
    summary.reviewed_by = actor.actor
    summary.reviewed_at = now
    summary.review_note = note
    session.flush()
    _audit(session, actor, "consultation.summary_returned", summary, now, {"note": note})
    return summary


def publish_summary(
    session: Session,
    draft_id: int,
    *,
    actor: Principal,
    channel: str = "web",
    public_base_url: str = "",
    now: Optional[datetime] = None,
) -> PublishedSummary:
    """Publish the approved summary: register it, make the decisions public, queue messages."""
    require_role(actor, "staff", "reviewer")
    now = now or utcnow()
    summary = _awaiting(session, draft_id, SUMMARY_APPROVED, "采纳情况尚未审核通过，不能发布")
    _refuse_if_stale(session, summary)
    draft = session.get(Draft, draft_id)
    channel = clean(channel, 32) or "web"
    with _shared_review():
        record = publishing.publish(
            session,
            _review_item(session, draft_id).id,
            publisher=actor.actor,
            channels=[channel],
            now=now,
        )
    previous = latest_summary(session, draft_id)
    if previous is not None:
        previous.state = SUMMARY_SUPERSEDED
        previous.superseded_at = now
    summary.state = SUMMARY_PUBLISHED
    summary.published_by = actor.actor
    summary.published_at = now
    session.execute(
        update(OpinionGroup)
        .where(OpinionGroup.draft_id == draft_id)
        .values(
            published_outcome=OpinionGroup.outcome,
            published_reason=OpinionGroup.reason,
            published_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    draft.status = "summarised"
    session.flush()
    queued = _queue_notifications(session, draft, summary, public_base_url, now)
    _audit(
        session,
        actor,
        "consultation.summary_published",
        summary,
        now,
        {"channel": channel, "reviewer": summary.reviewed_by, "notifications": queued},
    )
    return _published(session, record)


def publication_meta(summary: Summary, previous: Optional[Summary]) -> dict[str, Any]:
    return {
        "version": summary.version,
        "published_at": _shown(summary.published_at),
        "supersedes": (
            {"version": previous.version, "published_at": _shown(previous.published_at)}
            if previous is not None
            else None
        ),
        "preview": False,
    }


def _shown(moment: Optional[datetime]) -> Optional[str]:
    """Local (Beijing) time as shown on the page, e.g. 2026-12-05 10:30."""
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else None


def pending_summary(session: Session, draft_id: int) -> Optional[Summary]:
    return session.execute(
        select(Summary).where(Summary.draft_id == draft_id, Summary.state.in_(PENDING_STATES))
    ).scalar_one_or_none()


def latest_summary(session: Session, draft_id: int) -> Optional[Summary]:
    """The summary version the public currently sees, if any."""
    return session.execute(
        select(Summary).where(Summary.draft_id == draft_id, Summary.state == SUMMARY_PUBLISHED)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class PublishedSummary:
    """A published adoption summary as the register holds it (the register is the one record):
    its record, the summary version it published, and that version's page."""

    record: publishing.RegisterRecord
    summary: Summary
    html: str

    @property
    def version(self) -> int:
        return self.record.version

    @property
    def content_hash(self) -> str:
        return self.record.content_hash

    @property
    def channel(self) -> str:
        return self.record.channels[0]

    @property
    def summary_id(self) -> int:
        return self.summary.id

    @property
    def draft_id(self) -> int:
        return self.summary.draft_id

    @property
    def department(self) -> str:
        return self.record.unit

    def __getattr__(self, name: str) -> Any:
        """The register's own fields: number, reviewer, publisher, published_at, …"""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.record, name)


def publication(
    session: Session, draft_id: int, version: Optional[int] = None
) -> PublishedSummary:
    """A registered publication: the latest one, or a given (possibly superseded) version."""
    query = _register_query(draft_id)
    if version is not None:
        query = query.where(publishing.RegisterRecord.version == version)
    found = (
        session.execute(query.order_by(publishing.RegisterRecord.version.desc())).scalars().first()
    )
    if found is None:
        raise NotFound(
            "该征求意见稿尚未公布采纳情况" if version is None else f"没有第{version}版采纳情况"
        )
    return _published(session, found)


def publications(session: Session, draft_id: int) -> list[PublishedSummary]:
    records = session.execute(
        _register_query(draft_id).order_by(publishing.RegisterRecord.version)
    ).scalars()
    return [_published(session, record) for record in records]


def _register_query(draft_id: int):
    return select(publishing.RegisterRecord).where(
        publishing.RegisterRecord.kind == REGISTER_KIND,
        publishing.RegisterRecord.reference == register_reference(draft_id),
    )


def _published(session: Session, record: publishing.RegisterRecord) -> PublishedSummary:
    """The page of a registered summary, rendered from the registered content and the
    summary version it published (with the version it replaced)."""
    draft_id = int(record.reference.split(":", 1)[1])
    versions = {
        summary.version: summary
        for summary in session.execute(
            select(Summary).where(
                Summary.draft_id == draft_id,
                Summary.version.in_((record.version, record.version - 1)),
                Summary.published_at.is_not(None),
            )
        ).scalars()
    }
    summary = versions[record.version]
    content = json.loads(record.content)
    html = render_html(content, publication_meta(summary, versions.get(record.version - 1)))
    return PublishedSummary(record=record, summary=summary, html=html)


def register_reference(draft_id: int) -> str:
    """The subject of a draft's summaries in the shared register (one version per publication)."""
    return f"draft:{draft_id}"


def _review_item(session: Session, draft_id: int) -> publishing.ReviewItem:
    item = publishing.open_item(session, REGISTER_KIND, register_reference(draft_id))
    if item is None:
        raise ConsultationError("采纳情况没有送审记录，请重新起草并送审")
    return item


@contextmanager
def _shared_review() -> Iterator[None]:
    """The shared review's refusals, as the consultation's own errors (same pages and exits)."""
    try:
        yield
    except publishing.PermissionDenied as denied:
        raise PermissionDenied(str(denied)) from denied
    except publishing.PublishingError as refused:
        raise ConsultationError(str(refused)) from refused


def _awaiting(session: Session, draft_id: int, state: str, message: str) -> Summary:
    summary = pending_summary(session, draft_id)
    if summary is None or summary.state != state:
        raise ConsultationError(message)
    return summary


def _refuse_if_stale(session: Session, summary: Summary) -> None:
    draft = session.get(Draft, summary.draft_id)
    if content_hash(build_content(session, draft)) != summary.content_hash:
        raise ConsultationError("起草后处理决定或意见分组有变化，请重新起草采纳情况并送审")


def _username(actor: str) -> str:
    return actor.split(":", 1)[-1]


def _count(session: Session, column, *conditions) -> int:
    return session.execute(select(func.count(column)).where(*conditions)).scalar_one()


def _audit(
    session: Session,
    actor: Principal,
    action: str,
    summary: Summary,
    now: datetime,
    extra: Optional[dict[str, Any]] = None,
) -> None:
    audit.record(
        session,
        actor=actor.actor,
        action=action,
        entity_type="consultation_summary",
        entity_id=str(summary.id),
        detail={
            "draft_id": summary.draft_id,
            "version": summary.version,
            "content_hash": summary.content_hash,
            **(extra or {}),
        },
        at=now,
    )


def _queue_notifications(
    session: Session, draft: Draft, summary: Summary, base_url: str, now: datetime
) -> int:
    """One outbox row per citizen (channel + sender id) who agreed to be contacted."""
    rows = session.execute(
        select(
            Opinion.channel,
            Opinion.sender_id,
            Opinion.receipt_no,
            Clause.label,
            OpinionGroup.published_outcome,
            OpinionGroup.published_reason,
        )
        .join(OpinionGroup, OpinionGroup.id == Opinion.group_id)
        .outerjoin(Clause, Clause.id == Opinion.clause_id)
        .where(Opinion.draft_id == draft.id, Opinion.contact_ok.is_(True), Opinion.sender_id != "")
        .order_by(Opinion.id)
    ).all()
    by_citizen: dict[tuple[str, str], list] = defaultdict(list)
    for row in rows:
        by_citizen[(row.channel, row.sender_id)].append(row)
    link = f"{base_url.rstrip('/')}/consultations/{draft.id}/summary"
    heading = (
        "采纳情况已公布" if summary.version == 1 else f"采纳情况已更新（第{summary.version}版）"
    )
    for (channel, sender_id), items in by_citizen.items():
        lines = [f"您对《{draft.display_title}》提出的意见，{heading}："]
        for item in items[:NOTIFY_MAX_LINES]:
            outcome = OUTCOMES[item.published_outcome].label
            where = f"（{item.label}）" if item.label else ""
            reason = f"理由：{mask(item.published_reason)}" if item.published_reason else ""
            lines.append(f"· {item.receipt_no}{where}：{outcome}。{reason}".rstrip())
        if len(items) > NOTIFY_MAX_LINES:
            lines.append(f"……等共{len(items)}条意见")
        lines.append(f"详见：{link}")
        notices.enqueue(
            session,
            f"consultation:summary:{summary.id}:{channel}:{sender_id}",
            channel,
            sender_id,
            "\n".join(lines),
            now,
        )
    return len(by_citizen)
