"""The one outbox of notices owed to people, and their delivery channel by channel.

Every record kind queues its notices here with `enqueue`, in the transaction that causes them
(a ticket answered, an adoption summary published, a ticket supervised): what is committed will
be told, and what is rolled back will not. The `dedupe_key` names the cause, so a notice is
queued once however often its cause is replayed.

A channel is a small registered sender (`register_channel`): it opens a `Send` that delivers
`(recipient, text)` or raises `NotDelivered`. A notice is marked sent only after its channel
accepted it; a failure is counted and retried on the next run, up to `MAX_ATTEMPTS`. Texts go
out masked (`bot.privacy.mask`). Run one deliverer per channel at a time (a timer), so nobody
gets a notice twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, AsyncContextManager, Awaitable, Callable, Optional

from sqlalchemy import Column, DateTime, Index, Integer, String, Text, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db import Base, Database, utcnow
from bot.privacy import mask
from bot.threads import in_thread

if TYPE_CHECKING:
    from bot.config import Settings

PENDING, SENT, FAILED = "pending", "sent", "failed"
DEPARTMENT = "department"
"""The channel of notices to a department (督办提醒): its console shows them until someone there
marks them read (`addressed`, `acknowledge`)."""
MAX_ATTEMPTS = 5
MAX_KEY = 255

logger = logging.getLogger(__name__)


class Notice(Base):
    """One message to one recipient (a chat sender id, a department id) on one channel."""

    __tablename__ = "notices"

    id = Column(Integer, primary_key=True, autoincrement=True)
    dedupe_key = Column(String(MAX_KEY), nullable=False, unique=True)
    channel = Column(String(32), nullable=False)
    recipient = Column(String(128), nullable=False)
    message = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default=PENDING)
    attempts = Column(Integer, nullable=False, default=0)
    error = Column(String(500))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True))

    __table_args__ = (Index("ix_notices_channel_status", "channel", "status"),)


def enqueue(
    session: Session,
    dedupe_key: str,
    channel: str,
    recipient: str,
    message: str,
    now: Optional[datetime] = None,
) -> bool:
    """Queue a notice in the caller's transaction; False when `dedupe_key` was queued before."""
    if not dedupe_key or len(dedupe_key) > MAX_KEY:
        raise ValueError(f"dedupe_key must be 1..{MAX_KEY} characters")
    table = Notice.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(
            dedupe_key=dedupe_key,
            channel=channel,
            recipient=recipient,
            message=message,
            status=PENDING,
            attempts=0,
            created_at=now or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
    )
    return session.execute(statement).rowcount == 1


@dataclass(frozen=True)
class Pending:
    id: int
    recipient: str
    message: str


def pending(session: Session, channel: str, limit: Optional[int] = None) -> list[Pending]:
    """The notices of `channel` not yet delivered, oldest first."""
    query = (
        select(Notice.id, Notice.recipient, Notice.message)
        .where(Notice.channel == channel, Notice.status == PENDING)
        .order_by(Notice.id)
        .limit(limit)
    )
    return [Pending(*row) for row in session.execute(query)]


def addressed(session: Session, channel: str, recipient: str, limit: int = 50) -> list[Notice]:
    """The notices of `channel` to `recipient` not yet read or delivered, newest first: what an
    in-console channel (a department's 督办提醒) shows its reader."""
    query = (
        select(Notice)
        .where(Notice.channel == channel, Notice.recipient == recipient, Notice.status == PENDING)
        .order_by(Notice.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def acknowledge(
    session: Session, notice_id: int, channel: str, recipient: str, now: Optional[datetime] = None
) -> bool:
    """Mark one pending notice of `channel` to `recipient` as delivered because its reader saw it
    in the console; False when there is no such notice (another recipient's is never touched)."""
    row = session.get(Notice, notice_id)
    if row is None or row.channel != channel or row.recipient != recipient or row.status != PENDING:
        return False
    mark_sent(session, notice_id, now)
    return True


def mark_sent(session: Session, notice_id: int, now: Optional[datetime] = None) -> None:
    row = session.get(Notice, notice_id)
    row.status = SENT
    row.attempts += 1
    row.error = None
    row.sent_at = now or utcnow()


def mark_failed(session: Session, notice_id: int, error: str) -> None:
    """Count the failure; the notice stays pending until it has failed `MAX_ATTEMPTS` times."""
    row = session.get(Notice, notice_id)
    row.attempts += 1
    row.error = mask(error)[:500]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = FAILED


class NotDelivered(Exception):
    """The channel refused or could not take one notice; the others are still tried."""


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    failed: int = 0


Send = Callable[[str, str], Awaitable[None]]
"""Delivers `(recipient, text)` through a channel, or raises `NotDelivered`."""

OpenSender = Callable[["Settings"], AsyncContextManager[Send]]
"""Opens a channel's connection for one delivery run and yields its `Send`."""

_channels: dict[str, OpenSender] = {}


def register_channel(name: str, open_sender: OpenSender) -> None:
    """Make `name` deliverable; each channel module registers itself once on import."""
    _channels[name] = open_sender


async def deliver_with(db: Database, channel: str, send: Send) -> Delivery:
    """Send every pending notice of `channel` once through `send`; database work off the loop."""

    def listed() -> list[Pending]:
        with db.session() as session:
            return pending(session, channel)

    def record(step: Callable[..., None], *args) -> None:
        with db.session() as session:
            step(session, *args)

    sent = failed = 0
    for notice in await in_thread(listed):
        try:
            await send(notice.recipient, mask(notice.message))
        except NotDelivered as error:
            failed += 1
            logger.warning("notice %s on %s not delivered: %s", notice.id, channel, mask(str(error)))
            await in_thread(record, mark_failed, notice.id, str(error))
            continue
        sent += 1
        await in_thread(record, mark_sent, notice.id)
    return Delivery(sent, failed)


async def deliver(settings: Settings, db: Database, channel: str) -> Delivery:
    """One delivery run of a registered channel."""
    if channel not in _channels:
        raise KeyError(f"no sender registered for channel {channel!r}")
    async with _channels[channel](settings) as send:
        return await deliver_with(db, channel, send)
