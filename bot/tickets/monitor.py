"""The deadline monitor (限时办结, 统一督办): flag tickets past their time limits, once.

A ticket still with its department after its due time, or not yet signed for by its sign-by
time, is marked 督办, audited, and a notice to the department is queued in the outbox
(`bot.notices`, channel "department"). A flagged ticket
is not flagged again until it is re-dispatched with new time limits, so running the monitor any
number of times gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot import notices
from bot.clock import local
from bot.tickets.models import DISPATCHED, IN_DEPARTMENT_STATUSES, Ticket, as_utc
from bot.tickets.service import supervise

DEPARTMENT_CHANNEL = notices.DEPARTMENT


@dataclass(frozen=True)
class Supervision:
    """One ticket flagged by a run, and the notice queued to its department."""

    ticket_id: int
    number: str
    department_id: str
    message: str


def run_monitor(session: Session, now: Optional[datetime] = None) -> list[Supervision]:
    """Supervise every newly overdue ticket; what this run flagged."""
    now = as_utc(now)
    late = or_(
        Ticket.due_at < now,
        and_(Ticket.status == DISPATCHED, Ticket.sign_by < now),
    )
    query = (
        select(Ticket)
        .where(Ticket.status.in_(IN_DEPARTMENT_STATUSES), Ticket.supervised.is_(False), late)
        .order_by(Ticket.id)
        .with_for_update(skip_locked=True)
    )
    supervised = []
    for ticket in session.execute(query).scalars().all():
        reason, deadline = _lateness(ticket, now)
        supervise(session, ticket, reason, now)
        subject = ticket.category_name or ticket.type
        done = Supervision(
            ticket.id,
            ticket.number,
            ticket.department_id,
            f"【12345督办】工单 {ticket.number}（{subject}）{reason}"
            f"（时限 {local(deadline):%Y-%m-%d %H:%M}），请立即办理并答复。",
        )
        notices.enqueue(
            session,
            f"ticket:{ticket.number}:supervised:{now:%Y%m%dT%H%M%S}",
            DEPARTMENT_CHANNEL,
            done.department_id,
            done.message,
            now,
        )
        supervised.append(done)
    session.flush()
    return supervised


def _lateness(ticket: Ticket, now: datetime) -> tuple[str, datetime]:
    """Which time limit ran out; the due time wins over the sign-by time."""
    if ticket.due_at is not None and ticket.due_at < now:
        return "超过办理期限未办结", ticket.due_at
    return "超过签收时限未签收", ticket.sign_by
