"""One review step for every publisher (先审查、后公开, 一事一审) and the register it writes.

`submit` → `approve` (one reviewer, never the drafter, 保密审查 checklist stored) or `refuse`
(reason required) → `publish` (appends a register record: content and SHA-256, unit, reviewer,
publisher, time, channels, version). Which state may follow which is `TRANSITIONS`; every step
writes an audit row, as ticket transitions do.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import now as clock_now
from bot.knowledge_files import Schema, load
from bot.numbering import allocate
from bot.publishing.models import (
    APPROVED,
    CHANNELS,
    KINDS,
    PUBLISHED,
    REFUSED,
    SUBMITTED,
    WITHDRAWN,
    RegisterRecord,
    ReviewItem,
)
from bot.text import clean

Content = Union[str, Mapping[str, Any]]
CHECKLIST_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "publishing" / "checklist.yml"
MAX_CONTENT = 2_000_000
NUMBER_PREFIX = "FB"

TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, "approve"): APPROVED,
    (SUBMITTED, "refuse"): REFUSED,
    (SUBMITTED, "withdraw"): WITHDRAWN,
    (APPROVED, "withdraw"): WITHDRAWN,
    (APPROVED, "publish"): PUBLISHED,
}


class PublishingError(ValueError):
    """A step refused, with the reason in Chinese."""


class NotFound(PublishingError):
    pass


class PermissionDenied(PublishingError):
    pass


class ChecklistItem(Schema):
    id: str
    text: str


class ChecklistFile(Schema):
    items: list[ChecklistItem]


@lru_cache(maxsize=4)
def checklist_items(path: Path = CHECKLIST_FILE) -> tuple[ChecklistItem, ...]:
    """The 保密审查 items a reviewer confirms (knowledge/publishing/checklist.yml)."""
    return tuple(load(path, ChecklistFile).items)


def full_checklist() -> dict[str, bool]:
    """Every item confirmed: what a reviewer's form sends when all boxes are ticked."""
    return {item.id: True for item in checklist_items()}


def checklist_from_form(form: Mapping[str, Any]) -> dict[str, bool]:
    """A review form's ticked boxes (`check_<item id>`), one answer per checklist item."""
    return {item.id: bool(form.get(f"check_{item.id}")) for item in checklist_items()}


def checklist_from_confirmations(confirmed: Iterable[str]) -> dict[str, bool]:
    """`--confirm ID` given on the command line (`--confirm all` confirms every item)."""
    given = set(confirmed)
    return {item.id: "all" in given or item.id in given for item in checklist_items()}


def canonical(content: Content) -> str:
    """The text stored and hashed: text as given, structured content as canonical JSON."""
    if isinstance(content, str):
        return content
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def submit(
    session: Session,
    kind: str,
    reference: str,
    content: Content,
    unit: str,
    drafter: str,
    *,
    title: str = "",
    now: Optional[datetime] = None,
) -> ReviewItem:
    """Send content for review. The same content already waiting is returned (idempotent);
    different content replaces what was waiting, which then needs no review."""
    if kind not in KINDS:
        raise PublishingError(f"未知的发布类型：{kind}")
    reference, unit, drafter = clean(reference, 120), clean(unit, 64), clean(drafter, 120)
    if not reference or not unit or not drafter:
        raise PublishingError("送审须写明发布事项、发布单位和起草人")
    text = canonical(content)
    if not text.strip() or len(text) > MAX_CONTENT:
        raise PublishingError("送审内容为空或过长")
    now = now or clock_now()
    digest = sha256(text)
    waiting = open_item(session, kind, reference)
    if waiting is not None and waiting.content_hash == digest and waiting.state == SUBMITTED:
        return waiting
    if waiting is not None:
        _move(session, waiting, "withdraw", drafter, now, {"replaced_by_hash": digest})
    item = ReviewItem(
        kind=kind,
        reference=reference,
        title=clean(title, 200) or f"{KINDS[kind]} {reference}",
        unit=unit,
        content=text,
        content_hash=digest,
        state=SUBMITTED,
        drafter=drafter,
        submitted_at=now,
    )
    session.add(item)
    session.flush()
    _audit(session, item, drafter, "publishing.submitted", now)
    return item


def approve(
    session: Session,
    item_id: int,
    *,
    reviewer: str,
    checklist: Mapping[str, Any],
    now: Optional[datetime] = None,
) -> ReviewItem:
    """One reviewer, not the drafter, approves after confirming every 保密审查 item."""
    item = get_item(session, item_id)
    _check_reviewer(item, reviewer)
    answers = {entry.id: bool(checklist.get(entry.id)) for entry in checklist_items()}
    missing = [entry.text for entry in checklist_items() if not answers[entry.id]]
    if missing:
        raise PublishingError("保密审查未完成，请逐项确认：" + "；".join(missing))
    now = now or clock_now()
    _move(session, item, "approve", reviewer, now, {"checklist": answers})
    item.reviewer, item.reviewed_at, item.checklist = reviewer, now, answers
    return item


def refuse(
    session: Session, item_id: int, *, reviewer: str, reason: str, now: Optional[datetime] = None
) -> ReviewItem:
    """The reviewer refuses, saying why; the drafter submits again to continue."""
    item = get_item(session, item_id)
    _check_reviewer(item, reviewer)
    reason = clean(reason, 500)
    if len(reason) < 2:
        raise PublishingError("不予通过时请写明理由")
    now = now or clock_now()
    _move(session, item, "refuse", reviewer, now, {"reason": reason})
    item.reviewer, item.reviewed_at, item.refusal_reason = reviewer, now, reason
    return item


def publish(
    session: Session,
    item_id: int,
    *,
    publisher: str,
    channels: Iterable[str],
    now: Optional[datetime] = None,
) -> RegisterRecord:
    """Publish the approved item: append the next version of its subject to the register."""
    item = get_item(session, item_id)
    chosen = sorted({clean(channel, 16) for channel in channels})
    if not chosen or any(channel not in CHANNELS for channel in chosen):
        raise PublishingError(f"发布渠道须为 {'、'.join(CHANNELS)} 之一或多个")
    publisher = clean(publisher, 120)
    if not publisher:
        raise PublishingError("发布须写明发布人")
    if item.state == APPROVED and sha256(item.content) != item.content_hash:
        raise PublishingError("内容与审查时不一致，不能发布")
    now = now or clock_now()
    _move(session, item, "publish", publisher, now, {"channels": chosen})
    latest = session.execute(
        select(func.max(RegisterRecord.version)).where(
            RegisterRecord.kind == item.kind, RegisterRecord.reference == item.reference
        )
    ).scalar_one()
    record = RegisterRecord(
        number=allocate(session, NUMBER_PREFIX, now),
        kind=item.kind,
        reference=item.reference,
        version=(latest or 0) + 1,
        title=item.title,
        unit=item.unit,
        content=item.content,
        content_hash=item.content_hash,
        drafter=item.drafter,
        reviewer=item.reviewer,
        checklist=item.checklist,
        publisher=publisher,
        published_at=now,
        channels=chosen,
    )
    session.add(record)
    session.flush()
    item.record_id = record.id
    audit.record(
        session,
        actor=publisher,
        action="publishing.registered",
        entity_type="publication_register",
        entity_id=str(record.id),
        detail={"number": record.number, "version": record.version, "hash": record.content_hash},
        at=now,
    )
    return record


def get_item(session: Session, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"没有送审事项 {item_id}")
    return item


def open_item(session: Session, kind: str, reference: str) -> Optional[ReviewItem]:
    """The item of this subject waiting for review or for publication, if any."""
    return (
        session.execute(
            select(ReviewItem)
            .where(
                ReviewItem.kind == kind,
                ReviewItem.reference == reference,
                ReviewItem.state.in_((SUBMITTED, APPROVED)),
            )
            .order_by(ReviewItem.id.desc())
        )
        .scalars()
        .first()
    )


def latest_item(session: Session, kind: str, reference: str) -> Optional[ReviewItem]:
    return (
        session.execute(
            select(ReviewItem)
            .where(ReviewItem.kind == kind, ReviewItem.reference == reference)
            .order_by(ReviewItem.id.desc())
        )
        .scalars()
        .first()
    )


def username(actor: str) -> str:
    """`role:name` actors and bare names compare by name: one person, whatever role they use."""
    return actor.split(":", 1)[-1]


def _check_reviewer(item: ReviewItem, reviewer: str) -> None:
    if not clean(reviewer, 120):
        raise PublishingError("审查须写明审查人")
    if username(reviewer) == username(item.drafter):
        raise PermissionDenied("起草人不能审查自己起草的内容：先审查、后公开，须由另一人审查")
    if item.reviewer:
        raise PublishingError(f"该事项已由 {item.reviewer} 审查（一事一审）")


def _move(
    session: Session, item: ReviewItem, step: str, actor: str, now: datetime, detail: dict
) -> None:
    target = TRANSITIONS.get((item.state, step))
    if target is None:
        raise PublishingError(f"“{KINDS[item.kind]}”当前状态为{item.state}，不能执行 {step}")
    item.state = target
    session.flush()
    _audit(session, item, actor, f"publishing.{target}", now, detail)


def _audit(
    session: Session,
    item: ReviewItem,
    actor: str,
    action: str,
    now: datetime,
    extra: Optional[dict] = None,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="publication_item",
        entity_id=str(item.id),
        detail={
            "kind": item.kind,
            "reference": item.reference,
            "hash": item.content_hash,
            **(extra or {}),
        },
        at=now,
    )
