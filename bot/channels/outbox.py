"""Notices owed to citizens in the chat they used, and their delivery by a chat channel.

Two tables hold pending notices and share their columns (channel, sender_id, message, status,
attempts, error, sent_at): the consultation module's `consultation_notifications` (adoption
summary published) and `notices`, filled here from tickets answered to a citizen who filed through
a chat (办结答复): asking in a chat is asking for the answer there. A notice is marked sent only
after the channel accepted it; a failure is counted and retried on the next run, up to
`MAX_ATTEMPTS`. Run one deliverer at a time (a timer), so nobody gets a notice twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Optional

from sqlalchemy import Column, DateTime, Index, Integer, String, Text, select
from sqlalchemy.orm import Session

from bot.consultation.models import NOTIFICATION_FAILED, NOTIFICATION_PENDING, NOTIFICATION_SENT
from bot.consultation.models import Notification as ConsultationNotification
from bot.db import Base, Database, utcnow
from bot.privacy import mask
from bot.tickets.models import Ticket

MAX_ATTEMPTS = 5
TICKET_REPLY_LOOKBACK = timedelta(days=7)
"""Answers older than this when the deliverer first runs are not announced any more."""

logger = logging.getLogger(__name__)


class Notice(Base):
    """One message to one citizen; `key` names its cause, so it is queued only once."""

    __tablename__ = "notices"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(160), nullable=False, unique=True)
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(128), nullable=False)
    message = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default=NOTIFICATION_PENDING)
    attempts = Column(Integer, nullable=False, default=0)
    error = Column(String(500))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True))

    __table_args__ = (Index("ix_notices_channel_status", "channel", "status"),)


OUTBOXES = (Notice, ConsultationNotification)


def ticket_reply_text(ticket: Ticket) -> str:
    return (
        f"您反映的问题（工单号 {ticket.number}）已办结。\n"
        f"承办单位答复：{ticket.reply}\n"
        "请回复“满意”“基本满意”或“不满意”评价办理结果（回访）；不满意的将退回承办单位重新办理。"
    )


def queue_ticket_replies(session: Session, channel: str, now: Optional[datetime] = None) -> int:
    """Queue a notice for every recent answer to a ticket filed through `channel`; how many."""
    since = (now or utcnow()) - TICKET_REPLY_LOOKBACK
    tickets = session.execute(
        select(Ticket).where(
            Ticket.channel == channel,
            Ticket.sender_id.is_not(None),
            Ticket.reply.is_not(None),
            Ticket.replied_at >= since,
        )
    ).scalars()
    wanted = {f"ticket:{t.number}:replied:{t.replied_at:%Y%m%dT%H%M%S}": t for t in tickets}
    if not wanted:
        return 0
    queued = set(session.execute(select(Notice.key).where(Notice.key.in_(wanted))).scalars())
    for key, ticket in wanted.items():
        if key not in queued:
            session.add(
                Notice(
                    key=key,
                    channel=channel,
                    sender_id=ticket.sender_id,
                    message=ticket_reply_text(ticket),
                )
            )
    return len(wanted) - len(queued)


@dataclass(frozen=True)
class Pending:
    outbox: type
    id: int
    sender_id: str
    message: str


def pending(session: Session, channel: str) -> list[Pending]:
    """Every notice for `channel` not yet delivered, from every outbox, each oldest first."""
    found = []
    for outbox in OUTBOXES:
        rows = session.execute(
            select(outbox.id, outbox.sender_id, outbox.message)
            .where(outbox.channel == channel, outbox.status == NOTIFICATION_PENDING)
            .order_by(outbox.id)
        )
        found.extend(Pending(outbox, *row) for row in rows)
    return found


def mark_sent(db: Database, notice: Pending) -> None:
    with db.session() as session:
        row = session.get(notice.outbox, notice.id)
        row.status = NOTIFICATION_SENT
        row.attempts += 1
        row.sent_at = utcnow()


def mark_failed(db: Database, notice: Pending, error: str) -> None:
    """Count the failure; the notice stays pending until it has failed `MAX_ATTEMPTS` times."""
    with db.session() as session:
        row = session.get(notice.outbox, notice.id)
        row.attempts += 1
        row.error = mask(error)[:500]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = NOTIFICATION_FAILED


class NotDelivered(Exception):
    """The channel refused or could not take one notice; the others are still tried."""


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    failed: int = 0


Send = Callable[[str, str], Awaitable[None]]
"""Delivers `(sender_id, text)` through a channel, or raises `NotDelivered`."""


async def deliver(db: Database, channel: str, send: Send) -> Delivery:
    """Queue new ticket answers, then send every pending notice of `channel` once.

    Texts go out masked (`bot.privacy.mask`); database work runs on a worker thread.
    """

    def queue_and_list() -> list[Pending]:
        with db.session() as session:
            queue_ticket_replies(session, channel)
            return pending(session, channel)

    sent = failed = 0
    for notice in await asyncio.to_thread(queue_and_list):
        try:
            await send(notice.sender_id, mask(notice.message))
        except NotDelivered as error:
            failed += 1
            logger.warning(
                "notice %s:%s not delivered: %s", notice.outbox.__tablename__, notice.id, error
            )
            await asyncio.to_thread(mark_failed, db, notice, str(error))
            continue
        sent += 1
        await asyncio.to_thread(mark_sent, db, notice)
    return Delivery(sent, failed)
