"""Staff decisions on opinions: 采纳, 部分采纳, 不予采纳, 已有规定/不属于本次范围, with reasons.

A decision belongs to a group of opinions. Deciding a single opinion that sits in a larger group
first moves it into a group of its own, so the rest of its group keeps its answer. Decisions are
internal until a reviewed summary is published (see publish.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit
from bot.accounts import Principal
from bot.consultation.forms import DecisionForm, NotFound, require_role
from bot.consultation.models import Opinion, OpinionGroup, Outcome
from bot.db import utcnow


def decide_group(
    session: Session,
    group_id: int,
    outcome: str,
    reason: str = "",
    *,
    actor: Principal,
    now: Optional[datetime] = None,
) -> OpinionGroup:
    """Decide a whole group; refused without a reason unless the outcome is 采纳."""
    require_role(actor, "staff")
    decision = DecisionForm(outcome, reason).validate()
    group = session.get(OpinionGroup, group_id)
    if group is None:
        raise NotFound(f"没有编号为 {group_id} 的意见组")
    return _decide(session, group, decision, actor, now or utcnow())


def decide_opinion(
    session: Session,
    receipt_no: str,
    outcome: str,
    reason: str = "",
    *,
    actor: Principal,
    now: Optional[datetime] = None,
) -> OpinionGroup:
    """Decide one opinion on its own (moving it out of its group first); returns its group."""
    require_role(actor, "staff")
    decision = DecisionForm(outcome, reason).validate()
    now = now or utcnow()
    opinion = session.execute(
        select(Opinion).where(Opinion.receipt_no == receipt_no.strip().upper())
    ).scalar_one_or_none()
    if opinion is None:
        raise NotFound(f"没有回执号为 {receipt_no} 的意见")
    group = session.get(OpinionGroup, opinion.group_id) if opinion.group_id else None
    if group is None or _member_count(session, group.id) > 1:
        group = _split_off(session, opinion, group, actor, now)
    return _decide(session, group, decision, actor, now)


def _decide(
    session: Session,
    group: OpinionGroup,
    decision: tuple[Outcome, Optional[str]],
    actor: Principal,
    now: datetime,
) -> OpinionGroup:
    outcome, reason = decision
    previous = group.outcome
    group.outcome = outcome.code
    group.reason = reason
    group.decided_by = actor.actor
    group.decided_at = now
    session.flush()
    audit.record(
        session,
        actor=actor.actor,
        action="consultation.decided",
        entity_type="consultation_group",
        entity_id=str(group.id),
        detail={
            "outcome": outcome.code,
            "previous": previous,
            "reason": reason,
            "size": group.size,
        },
        at=now,
    )
    return group


def _split_off(
    session: Session,
    opinion: Opinion,
    old: Optional[OpinionGroup],
    actor: Principal,
    now: datetime,
) -> OpinionGroup:
    """A one-opinion group for `opinion`; it keeps what was already published for it."""
    group = OpinionGroup(
        draft_id=opinion.draft_id,
        clause_id=opinion.clause_id,
        representative_id=opinion.id,
        size=1,
        created_at=now,
    )
    if old is not None:
        group.published_outcome = old.published_outcome
        group.published_reason = old.published_reason
        group.published_at = old.published_at
    session.add(group)
    session.flush()
    opinion.group_id = group.id
    session.flush()
    if old is not None:
        old.size = _member_count(session, old.id)
        if old.representative_id == opinion.id:
            old.representative_id = session.execute(
                select(func.min(Opinion.id)).where(Opinion.group_id == old.id)
            ).scalar_one()
    audit.record(
        session,
        actor=actor.actor,
        action="consultation.opinion_split",
        entity_type="consultation_group",
        entity_id=str(group.id),
        detail={"receipt_no": opinion.receipt_no, "from_group": old.id if old else None},
        at=now,
    )
    return group


def _member_count(session: Session, group_id: int) -> int:
    return session.execute(
        select(func.count(Opinion.id)).where(Opinion.group_id == group_id)
    ).scalar_one()


def undecided_groups(session: Session, draft_id: int) -> list[OpinionGroup]:
    """Groups still waiting for a decision, largest first."""
    return list(
        session.execute(
            select(OpinionGroup)
            .where(OpinionGroup.draft_id == draft_id, OpinionGroup.outcome.is_(None))
            .order_by(OpinionGroup.size.desc(), OpinionGroup.id)
        ).scalars()
    )
