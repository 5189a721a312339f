"""12345 tickets as stored: the ticket and its states (numbers: `bot.numbering`; notices: `bot.notices`).

A ticket's status is one of `STATES`, a table of what each status means to staff and to the
citizen and whether the matter is still open (FixMyStreet's open/closed kinds). Which status may
follow which, and who may move it, is the state machine in `bot.tickets.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.types import DateTime

from bot.db import Base, utcnow


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored as UTC on every backend.

    SQLite keeps no offset, so values are converted to UTC before they are written and read back
    as UTC; comparisons in SQL then mean the same thing on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        return None if value is None else assume_utc(value)


def as_utc(moment: Optional[datetime] = None) -> datetime:
    """`moment` (default: now) in UTC; naive values are refused rather than guessed."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value")
    return moment.astimezone(timezone.utc)


def assume_utc(stored: datetime) -> datetime:
    """A time read back from the database (SQLite returns UTC without its zone), in UTC."""
    if stored.tzinfo is None:
        return stored.replace(tzinfo=timezone.utc)
    return stored.astimezone(timezone.utc)


@dataclass(frozen=True)
class State:
    code: str
    label: str
    public_label: str
    open: bool


RECEIVED = "received"
DISPATCHED = "dispatched"
RETURNED = "returned"
SIGNED = "signed"
REPLIED = "replied"
VISITED = "visited"
ARCHIVED = "archived"

STATES: dict[str, State] = {
    state.code: state
    for state in (
        State(RECEIVED, "已受理", "已受理，等待派单", open=True),
        State(DISPATCHED, "已派单待签收", "已转交承办单位", open=True),
        State(RETURNED, "已退单待改派", "正在重新派单", open=True),
        State(SIGNED, "办理中", "承办单位办理中", open=True),
        State(REPLIED, "已办结待回访", "已办结", open=False),
        State(VISITED, "已回访", "已办结", open=False),
        State(ARCHIVED, "已归档", "已办结", open=False),
    )
}
OPEN_STATUSES = tuple(code for code, state in STATES.items() if state.open)
IN_DEPARTMENT_STATUSES = (DISPATCHED, SIGNED)
"""Statuses in which the lead department holds the ticket and its deadlines run."""

TICKET_TYPES = ("咨询", "求助", "投诉", "举报", "建议")
SATISFACTION = ("满意", "基本满意", "不满意")

EXTENSION_REQUESTED = "requested"
EXTENSION_APPROVED = "approved"
EXTENSION_REFUSED = "refused"


class Ticket(Base):
    """One citizen's matter from 受理 to 归档.

    Partial indexes keep the hot queries as cheap with a million finished tickets as with none:
    `ix_tickets_open_inbox` reads a department's default inbox (dispatched and signed, soonest
    due first) in index order, `ix_tickets_open_due` the operators' open list and the deadline
    monitor; `ix_tickets_inbox` serves an inbox filtered by one status.
    """

    __tablename__ = "tickets"

    id = Column(Integer, primary_key=True, autoincrement=True)
    number = Column(String(24), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(128))
    idempotency_key = Column(String(128), unique=True)

    type = Column(String(8), nullable=False)
    category = Column(String(64))
    category_name = Column(String(64))
    urgent = Column(Boolean, nullable=False, default=False)
    description = Column(Text, nullable=False)
    location = Column(String(200))
    jurisdiction = Column(String(64))

    citizen_phone = Column(String(32))
    citizen_name = Column(String(64))
    anonymous = Column(Boolean, nullable=False, default=False)

    status = Column(String(16), nullable=False)
    department_id = Column(String(64))
    co_department_ids = Column(JSON, nullable=False, default=list)
    sign_by = Column(UTCDateTime)
    due_at = Column(UTCDateTime)
    dispatched_at = Column(UTCDateTime)
    signed_at = Column(UTCDateTime)
    return_reason = Column(Text)

    extension_state = Column(String(10))
    extension_days = Column(Integer)
    extension_reason = Column(Text)

    reply = Column(Text)
    replied_at = Column(UTCDateTime)
    satisfaction = Column(String(8))
    visited_at = Column(UTCDateTime)
    reopen_count = Column(Integer, nullable=False, default=0)
    closed_at = Column(UTCDateTime)

    supervised = Column(Boolean, nullable=False, default=False)
    supervised_at = Column(UTCDateTime)

    version = Column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_tickets_inbox", "department_id", "status", "due_at"),
        Index(
            "ix_tickets_open_inbox",
            "department_id",
            "due_at",
            "id",
            postgresql_where=status.in_(IN_DEPARTMENT_STATUSES),
            sqlite_where=status.in_(IN_DEPARTMENT_STATUSES),
        ),
        Index(
            "ix_tickets_open_due",
            "due_at",
            "id",
            postgresql_where=status.in_(OPEN_STATUSES),
            sqlite_where=status.in_(OPEN_STATUSES),
        ),
    )

    @property
    def state(self) -> State:
        return STATES[self.status]

    def __repr__(self) -> str:
        return f"<Ticket {self.number} {self.status}>"
