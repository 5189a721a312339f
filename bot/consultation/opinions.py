"""Citizens' opinions on a draft: submitting one (with a receipt number) and asking what became
of it.

A receipt number is YJ + the local date + a per-day sequence (YJ20261127-0001, `bot.numbering`). Submissions are
idempotent: a retry carrying the same `idempotency_key` (a chat message id, a web form token)
returns the first receipt and stores nothing twice, even when both arrive at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import local_day
from bot.consultation.drafts import get_draft, resolve_clause
from bot.consultation.forms import ConsultationError, NotFound, OpinionForm
from bot.consultation.grouping import terms
from bot.consultation.models import (
    OUTCOMES,
    UPCOMING,
    Clause,
    Draft,
    Opinion,
    OpinionGroup,
)
from bot.db import utcnow
from bot.numbering import allocate
from bot.privacy import mask

RECEIPT_PREFIX = "YJ"
PENDING_MESSAGE = "已收到，正在研究"


@dataclass(frozen=True)
class Receipt:
    """`clause_label` is None for an opinion on the draft as a whole."""

    receipt_no: str
    draft_id: int
    draft_title: str
    clause_label: Optional[str]
    submitted_at: datetime
    replayed: bool

    @property
    def message(self) -> str:
        return (
            f"您对《{self.draft_title}》{self.clause_label or ''}的意见已收到，回执号 {self.receipt_no}。"
            "征求意见结束后将统一公布采纳情况，可凭回执号查询处理结果。"
        )


@dataclass(frozen=True)
class OpinionStatus:
    """What a citizen may learn about an opinion: never its text, never who wrote it."""

    receipt_no: str
    draft_id: int
    draft_title: str
    clause_label: Optional[str]
    submitted_at: datetime
    published: bool
    outcome: Optional[str]
    outcome_label: str
    reason: Optional[str]
    summary_path: Optional[str]

    @property
    def message(self) -> str:
        head = (
            f"回执号 {self.receipt_no}：您对《{self.draft_title}》{self.clause_label or ''}的意见"
        )
        if not self.published:
            return f"{head}{PENDING_MESSAGE}。采纳情况经审核公布后即可查询。"
        reason = f"理由：{self.reason}" if self.reason else ""
        return f"{head}处理结果为“{self.outcome_label}”。{reason}"


def submit_opinion(
    session: Session,
    draft_id: int,
    clause_label: Optional[str],
    text: str,
    named: bool = False,
    name: Optional[str] = None,
    phone: Optional[str] = None,
    contact_ok: bool = False,
    channel: str = "web",
    sender_id: str = "",
    idempotency_key: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Receipt:
    """Store an opinion on `draft_id` (clause given as 第三条 / 3 / a quoted fragment, or None
    for the draft as a whole) and return its receipt.

    Raises `ConsultationError` (or `NotFound`/`Ambiguous`) with a message for the citizen: text
    too short or too long, draft outside its comment window, unknown clause.
    """
    now = now or utcnow()
    form = OpinionForm(
        text=text,
        named=named,
        name=name,
        phone=phone,
        contact_ok=contact_ok,
        channel=channel,
        sender_id=sender_id,
        idempotency_key=idempotency_key,
    ).validate()
    if form.idempotency_key:
        existing = _by_key(session, form.idempotency_key)
        if existing is not None:
            return _receipt(session, existing, replayed=True)
    draft = get_draft(session, draft_id)
    _require_open(draft, now)
    clause = resolve_clause(draft, clause_label)
    try:
        with session.begin_nested():
            opinion = Opinion(
                receipt_no=next_receipt_no(session, now),
                draft_id=draft.id,
                clause_id=clause.id if clause else None,
                text=form.text,
                terms=terms(form.text),
                named=form.named,
                name=form.name,
                phone=form.phone,
                contact_ok=form.contact_ok,
                channel=form.channel,
                sender_id=form.sender_id,
                idempotency_key=form.idempotency_key,
                submitted_at=now,
            )
            session.add(opinion)
            session.flush()
    except IntegrityError:
        existing = _by_key(session, form.idempotency_key) if form.idempotency_key else None
        if existing is None:
            raise
        return _receipt(session, existing, replayed=True)
    audit.record(
        session,
        actor=f"citizen:{form.sender_id or form.channel}",
        action="consultation.opinion_submitted",
        entity_type="consultation_opinion",
        entity_id=opinion.receipt_no,
        detail={
            "draft_id": draft.id,
            "clause": clause.label if clause else None,
            "channel": form.channel,
            "named": form.named,
            "contact_ok": form.contact_ok,
        },
        at=now,
    )
    return Receipt(
        opinion.receipt_no,
        draft.id,
        draft.display_title,
        clause.label if clause else None,
        now,
        replayed=False,
    )


def _require_open(draft: Draft, now: datetime) -> None:
    phase = draft.phase(local_day(now))
    if phase == "open":
        return
    when = "尚未开始" if phase == UPCOMING else "已经结束"
    raise ConsultationError(
        f"《{draft.display_title}》的征求意见时间为{draft.window_text}，目前{when}，暂不能提交意见"
    )


def next_receipt_no(session: Session, now: datetime) -> str:
    """The next receipt number of the local day (YJ20261206-0001), from `bot.numbering`."""
    return allocate(session, RECEIPT_PREFIX, now)


def _by_key(session: Session, key: str) -> Optional[Opinion]:
    return session.execute(
        select(Opinion).where(Opinion.idempotency_key == key)
    ).scalar_one_or_none()


def _receipt(session: Session, opinion: Opinion, *, replayed: bool) -> Receipt:
    draft = session.get(Draft, opinion.draft_id)
    clause = session.get(Clause, opinion.clause_id) if opinion.clause_id else None
    return Receipt(
        opinion.receipt_no,
        draft.id,
        draft.display_title,
        clause.label if clause else None,
        opinion.submitted_at,
        replayed=replayed,
    )


def lookup_opinion(session: Session, receipt_no: str) -> OpinionStatus:
    """The published decision and reason for an opinion, or "已收到，正在研究" until the
    adoption summary has been reviewed and published."""
    number = re.sub(r"\s", "", receipt_no or "").upper()
    opinion = session.execute(
        select(Opinion).where(Opinion.receipt_no == number)
    ).scalar_one_or_none()
    if opinion is None:
        raise NotFound(f"没有找到回执号 {number or '（空）'}，请核对后再试")
    return _status(session, opinion)


def opinions_of(session: Session, channel: str, sender_id: str) -> list[OpinionStatus]:
    """A citizen's own opinions on a channel, newest first (for "我的意见" in the chat)."""
    rows = session.execute(
        select(Opinion)
        .where(Opinion.channel == channel, Opinion.sender_id == sender_id, Opinion.sender_id != "")
        .order_by(Opinion.id.desc())
        .limit(20)
    ).scalars()
    return [_status(session, opinion) for opinion in rows]


def _status(session: Session, opinion: Opinion) -> OpinionStatus:
    draft = session.get(Draft, opinion.draft_id)
    clause = session.get(Clause, opinion.clause_id) if opinion.clause_id else None
    group = session.get(OpinionGroup, opinion.group_id) if opinion.group_id else None
    published = bool(group and group.published_at and group.published_outcome)
    outcome = OUTCOMES[group.published_outcome] if published else None
    return OpinionStatus(
        receipt_no=opinion.receipt_no,
        draft_id=draft.id,
        draft_title=draft.display_title,
        clause_label=clause.label if clause else None,
        submitted_at=opinion.submitted_at,
        published=published,
        outcome=outcome.code if outcome else None,
        outcome_label=outcome.label if outcome else PENDING_MESSAGE,
        reason=mask(group.published_reason) if published and group.published_reason else None,
        summary_path=f"/consultations/{draft.id}/summary" if published else None,
    )
