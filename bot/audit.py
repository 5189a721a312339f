"""Traceability log: who did what to which record, and when (every state change writes one row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, String, select
from sqlalchemy.orm import Session

from bot.db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor = Column(String(120), nullable=False)
    action = Column(String(60), nullable=False)
    entity_type = Column(String(40), nullable=False, index=True)
    entity_id = Column(String(64), nullable=False, index=True)
    detail = Column(JSON, nullable=False, default=dict)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    detail: Optional[dict[str, Any]] = None,
    at: Optional[datetime] = None,
) -> AuditEvent:
    """Add an audit row to the caller's transaction, so it commits or rolls back with the change."""
    event = AuditEvent(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        detail=detail or {},
        at=at or utcnow(),
    )
    session.add(event)
    return event


def history(session: Session, entity_type: str, entity_id: str) -> list[AuditEvent]:
    rows = session.execute(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(rows.scalars())
