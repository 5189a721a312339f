"""Stored monthly ticket counts, so the scorecard over a million tickets renders in time.

Counting a year of tickets takes seconds; past months change little. `refresh` (run from cron,
`python -m bot scorecard refresh`) stores each past month's ticket counts per department, with
when they were counted; the scorecard reads those and counts only the current month (and any
month not stored) live. Other areas are small and always counted live.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index, String, delete, select
from sqlalchemy.orm import Session

from bot.clock import now as clock_now
from bot.db import Base
from bot.tickets.models import Ticket, UTCDateTime

Index("ix_tickets_created_at", Ticket.created_at)
"""The scorecard counts the current month's tickets live: a range scan, not the whole table."""


class TicketMonth(Base):
    """One department's ticket counts for one month (count names: `ticket_conditions`)."""

    __tablename__ = "scorecard_ticket_months"

    month = Column(String(7), primary_key=True)
    unit = Column(String(120), primary_key=True)
    counts = Column(JSON, nullable=False)
    counted_at = Column(UTCDateTime, nullable=False)


def stored(session: Session, months: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    """month → unit → counts, for the months that have been stored."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    for row in session.execute(select(TicketMonth).where(TicketMonth.month.in_(months))).scalars():
        found.setdefault(row.month, {})[row.unit] = row.counts
    return found


def counted_at(session: Session, months: list[str]) -> Optional[datetime]:
    """When the oldest of the stored months used was counted (shown on the staff page)."""
    rows = session.execute(
        select(TicketMonth.counted_at).where(TicketMonth.month.in_(months))
    ).scalars()
    return min(rows, default=None)


def refresh(
    session: Session, months: list[str], live_counts, as_of: Optional[datetime] = None
) -> int:
    """Replace the stored counts of `months` (past months only) with a fresh count."""
    as_of = as_of or clock_now()
    session.execute(delete(TicketMonth).where(TicketMonth.month.in_(months)))
    rows = 0
    for month, units in live_counts.items():
        for unit, counts in units.items():
            session.add(TicketMonth(month=month, unit=unit, counts=dict(counts), counted_at=as_of))
            rows += 1
    session.flush()
    return rows
