"""Readable ticket numbers: ZS + the Asia/Shanghai date + a daily sequence (ZS20261127-0001).

The sequence comes from one row per day in `ticket_counters`, incremented by a single
`INSERT ... ON CONFLICT DO UPDATE`, so concurrent creations never share a number: PostgreSQL locks
the day's row until the creating transaction ends, and SQLite has one writer at a time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.tickets.models import TicketCounter

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PREFIX = "ZS"


def local_day(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y%m%d")


def next_sequence(session: Session, day: str) -> int:
    """Take the next number of `day` (YYYYMMDD) inside the caller's transaction."""
    table = TicketCounter.__table__
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(table).values(day=day, last=1)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.day], set_={"last": table.c.last + 1}
        ).returning(table.c.last)
        return session.execute(statement).scalar_one()
    statement = sqlite.insert(table).values(day=day, last=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.day], set_={"last": table.c.last + 1}
        )
    )
    return session.execute(select(table.c.last).where(table.c.day == day)).scalar_one()


def allocate_number(session: Session, moment: datetime) -> str:
    day = local_day(moment)
    return f"{PREFIX}{day}-{next_sequence(session, day):04d}"
