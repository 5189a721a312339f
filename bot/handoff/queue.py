"""Hand-over to a person: citizens who ask for one are queued for the 12345 operators."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot import audit
from bot.handoff.models import ACTIVE, WAITING, Handoff
from bot.privacy import mask


def request_handoff(
    session: Session, *, sender_id: str, channel: str, last_message: str = ""
) -> Handoff:
    """Queue `sender_id` for a person, or return the request already waiting for them."""
    existing = open_handoff(session, sender_id)
    if existing is not None:
        return existing
    handoff = Handoff(
        sender_id=sender_id, channel=channel or "rest", last_message=mask(last_message)[:500]
    )
    session.add(handoff)
    session.flush()
    audit.record(
        session,
        actor=f"citizen:{sender_id}",
        action="handoff.requested",
        entity_type="handoff",
        entity_id=str(handoff.id),
        detail={"channel": handoff.channel},
    )
    return handoff


OPEN_FOR_SENDER = (
    select(Handoff.id)
    .where(Handoff.sender_id == bindparam("sender"), Handoff.status.in_((WAITING, ACTIVE)))
    .limit(1)
)
"""A row when `sender` has a hand-over waiting or active: the look made on every portal message
(`Database.first(OPEN_FOR_SENDER, sender=…)`), the same test as `open_handoff`."""


def open_handoff(session: Session, sender_id: str) -> Optional[Handoff]:
    return session.execute(
        select(Handoff)
        .where(Handoff.sender_id == sender_id, Handoff.status.in_((WAITING, ACTIVE)))
        .order_by(Handoff.id.desc())
    ).scalars().first()


def waiting_count(session: Session) -> int:
    return len(session.execute(select(Handoff.id).where(Handoff.status == WAITING)).all())
