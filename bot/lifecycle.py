"""A record's state change, audited in the caller's transaction: the one way every record kind
with a transition table moves (tickets, applications for government information).

A service checks that the transition may happen, then calls `move`: the record takes the
transition's target status (None keeps it, for steps such as 延期 that change no status) and one
audit row says from where to where, who did it, when, and why (`note`). `record` writes the audit row
alone, for a step that changed fields but no status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy.orm import Session

from bot import audit


def move(
    session: Session,
    entity: str,
    record: Any,
    target: Optional[str],
    name: str,
    actor: str,
    now: datetime,
    note: Optional[str] = None,
    detail: Optional[dict] = None,
) -> None:
    """Put `record` (with `status` and `number`) in `target` and audit step `name`."""
    previous = record.status
    if target is not None:
        record.status = target
    changed = {"from": previous, "to": record.status, **(detail or {})}
    audit_step(session, entity, record.number, name, actor, now, note, changed)


def audit_step(
    session: Session,
    entity: str,
    number: str,
    name: str,
    actor: str,
    now: datetime,
    note: Optional[str] = None,
    detail: Optional[dict] = None,
) -> None:
    """The audit row of step `name` of the `entity` record `number` (action `entity.name`)."""
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"{entity}.{name}",
        entity_type=entity,
        entity_id=number,
        detail={**(detail or {}), **({"note": note} if note else {})},
        at=now,
    )
