"""Readable record numbers: a prefix, the local date and a daily sequence (ZS20261206-0001).

Every record kind (tickets ZS, consultation receipts YJ, and the ones to come) takes its numbers
here. One row per (series, day) in `daily_sequences`, incremented by a single
`INSERT ... ON CONFLICT DO UPDATE` inside the caller's transaction, so concurrent creations never
share a number: PostgreSQL locks the day's row until that transaction ends, and SQLite has one
writer at a time. A rolled-back creation gives its number back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.clock import local_day
from bot.db import Base

MAX_PREFIX = 16


class DailySequence(Base):
    """The last number handed out in one series on one local calendar day."""

    __tablename__ = "daily_sequences"

    series = Column(String(MAX_PREFIX), primary_key=True)
    day = Column(String(8), primary_key=True)
    last = Column(Integer, nullable=False)


def next_in_sequence(session: Session, series: str, day: str) -> int:
    """Take the next number of `series` on `day` (YYYYMMDD) inside the caller's transaction."""
    table = DailySequence.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(series=series, day=day, last=1)
        .on_conflict_do_update(
            index_elements=[table.c.series, table.c.day], set_={"last": table.c.last + 1}
        )
    )
    if dialect is postgresql:
        return session.execute(statement.returning(table.c.last)).scalar_one()
    session.execute(statement)
    return session.execute(
        select(table.c.last).where(table.c.series == series, table.c.day == day)
    ).scalar_one()


def allocate(session: Session, prefix: str, moment: datetime) -> str:
    """The next number of `prefix` for `moment`'s local day: PREFIX20261206-0001."""
    if not prefix or len(prefix) > MAX_PREFIX:
        raise ValueError(f"prefix must be 1..{MAX_PREFIX} characters")
    day = local_day(moment).strftime("%Y%m%d")
    return f"{prefix}{day}-{next_in_sequence(session, prefix, day):04d}"
