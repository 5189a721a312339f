"""A record's state change, audited in the caller's transaction: the one way every record kind
with a transition table moves (tickets, applications for government information).

A record kind declares its steps once, as a table of `Transition`s, and binds it in a `Lifecycle`:
`check` refuses a step the record's status does not allow (in Chinese), `apply` moves the record to
the step's target status (None keeps it, for steps such as 延期 that change no status) and writes
one audit row saying from where to where, who did it, when, and why (`note`); `record` writes the
audit row alone, for a step that changed fields but no status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping, Optional

from sqlalchemy.orm import Session

from bot import audit


@dataclass(frozen=True)
class Transition:
    """A step: its Chinese label, the statuses it may start from, its target status (None:
    unchanged) and who may take it (a role word the record kind's service interprets)."""

    label: str
    sources: tuple[str, ...]
    target: Optional[str]
    by: str


@dataclass(frozen=True)
class Lifecycle:
    """One record kind's steps: `entity` names it in the audit trail, `noun` in messages
    (工单, 申请), and `conflict` is the error a step out of turn raises."""

    entity: str
    noun: str
    transitions: Mapping[str, Transition]
    conflict: Callable[[str], Exception]

    def check(self, record: Any, name: str) -> None:
        """Refuse step `name` unless `record` (with `status` and `state.label`) may take it."""
        transition = self.transitions[name]
        if record.status not in transition.sources:
            raise self.conflict(
                f"{self.noun}当前状态为「{record.state.label}」，不能{transition.label}"
            )

    def apply(
        self,
        session: Session,
        record: Any,
        name: str,
        actor: str,
        now: datetime,
        note: Optional[str] = None,
        detail: Optional[dict] = None,
    ) -> Any:
        """Move `record` to step `name`'s target status (already checked) and audit it."""
        target = self.transitions[name].target
        move(session, self.entity, record, target, name, actor, now, note, detail)
        return record

    def record(
        self,
        session: Session,
        record: Any,
        name: str,
        actor: str,
        now: datetime,
        note: Optional[str] = None,
        detail: Optional[dict] = None,
    ) -> Any:
        """Audit step `name` of `record` without a status change."""
        audit_step(session, self.entity, record.number, name, actor, now, note, detail)
        return record


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
