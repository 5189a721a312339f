"""The portal's open chat event streams of one web process, served by one poll a tick.

Every citizen with the portal open holds an event stream (`GET /api/chat/events`) that waits for
what happens without asking: an operator's line, the hand-over's status, a notice. Each stream
used to ask the database on its own every tick: three queries, about 1.4 ms of the web service's
CPU on SQLite and 2.3 ms on PostgreSQL (bench/PROFILE.md), so a thousand open portals cost a core
before anyone typed. Now a stream asks once when it opens (so it starts from the present state at
once), and from then on the process's `StreamHub` asks for all its open streams together: three
queries a tick whatever their number, and each stream takes what is its own.

A notice is claimed (marked sent) in the transaction that reads it and handed to one open stream
of its conversation: one row reaches one tab, as before.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import notices
from bot.db import Database, utcnow
from bot.handoff.models import ACTIVE, OPERATOR, WAITING, Handoff, HandoffMessage
from bot.privacy import mask
from bot.threads import in_session
from bot.web import identity

log = logging.getLogger(__name__)

Event = tuple[str, dict[str, Any], Optional[int]]
"""(event name, data, event id) as the stream sends it."""


@dataclass(eq=False)
class Stream:
    sender: str
    after: int
    """The last operator line this stream has sent (or the browser said it had)."""
    status: str
    """The hand-over status the browser last heard of ("" when none yet)."""
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    def take(self, changes: dict[str, Any]) -> None:
        """Queue the events `changes` (one conversation's) hold for this stream."""
        status = changes["status"]
        if status != self.status and (self.status or status in (WAITING, ACTIVE)):
            self.queue.put_nowait(("handoff", {"status": status}, None))
        self.status = status
        for line_id, text in changes["lines"]:
            if line_id > self.after:
                self.queue.put_nowait(("operator", {"id": line_id, "text": text}, line_id))
                self.after = line_id
        for text in changes["notices"]:
            self.queue.put_nowait(("notice", {"text": text}, None))


def updates(session: Session, senders: dict[str, int]) -> dict[str, dict[str, Any]]:
    """For each conversation (sender → the oldest line its streams have), its operator lines
    after that, its hand-over status and its pending notices, claimed."""
    found: dict[str, dict[str, Any]] = {
        sender: {"lines": [], "status": "none", "notices": []} for sender in senders
    }
    if not senders:
        return found
    names = list(senders)
    lines = session.execute(
        select(HandoffMessage.sender_id, HandoffMessage.id, HandoffMessage.text)
        .where(
            HandoffMessage.sender_id.in_(names),
            HandoffMessage.author == OPERATOR,
            HandoffMessage.id > min(senders.values()),
        )
        .order_by(HandoffMessage.id)
    ).all()
    for row in lines:
        if row.id > senders[row.sender_id]:
            found[row.sender_id]["lines"].append((row.id, row.text))
    latest = (
        select(Handoff.sender_id, func.max(Handoff.id).label("id"))
        .where(Handoff.sender_id.in_(names))
        .group_by(Handoff.sender_id)
        .subquery()
    )
    for sender, status in session.execute(
        select(Handoff.sender_id, Handoff.status).join(latest, Handoff.id == latest.c.id)
    ):
        found[sender]["status"] = status
    for sender, text in _claim_notices(session, names):
        found[sender]["notices"].append(text)
    return found


def _claim_notices(session: Session, senders: Iterable[str]) -> list[tuple[str, str]]:
    """Pending portal notices of these conversations, marked sent in this transaction before they
    are pushed (`GET /api/chat` replays sent ones, so a push lost with its connection is still
    seen on the next visit)."""
    Notice = notices.Notice
    rows = session.execute(
        select(Notice.id, Notice.recipient, Notice.message)
        .where(
            Notice.channel == identity.PORTAL,
            Notice.recipient.in_(list(senders)),
            Notice.status == notices.PENDING,
        )
        .order_by(Notice.id)
    ).all()
    claimed = []
    for row in rows:
        taken = session.execute(
            update(Notice)
            .where(Notice.id == row.id, Notice.status == notices.PENDING)
            .values(status=notices.SENT, attempts=Notice.attempts + 1, sent_at=utcnow())
        )
        if taken.rowcount == 1:
            claimed.append((row.recipient, mask(row.message)))
    return claimed


class StreamHub:
    """The open streams of this process, and the one task that polls for them all."""

    def __init__(self, db: Database, tick: float) -> None:
        self.db = db
        self.tick = tick
        self.streams: dict[str, list[Stream]] = {}
        self.task: Optional[asyncio.Task] = None
        self.polls = 0
        """Polls made for open streams (each three queries, whatever their number)."""

    def count(self, sender: str) -> int:
        return len(self.streams.get(sender, ()))

    async def open(self, sender: str, after: int, status: str) -> Stream:
        """A new stream, told at once what is new for it. (Should a tick's poll run meanwhile,
        nothing comes twice: lines are past `after`, a status only when it changed, and a
        notice is claimed once.)"""
        stream = Stream(sender, after, status)
        self.streams.setdefault(sender, []).append(stream)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._poll(), name="chat-streams")
        try:
            changes = await in_session(self.db, updates, {sender: after})
        except BaseException:
            self.close(stream)
            raise
        stream.take(changes[sender])
        return stream

    def close(self, stream: Stream) -> None:
        mine = self.streams.get(stream.sender, [])
        if stream in mine:
            mine.remove(stream)
        if not mine:
            self.streams.pop(stream.sender, None)

    async def _poll(self) -> None:
        while self.streams:
            await asyncio.sleep(self.tick)
            wanted = {
                sender: min(s.after for s in streams)
                for sender, streams in self.streams.items()
                if streams
            }
            if not wanted:
                continue
            try:
                found = await in_session(self.db, updates, wanted)
            except Exception:  # noqa: BLE001 - a failed poll is tried again next tick
                log.warning("chat streams: poll failed", exc_info=True)
                continue
            self.polls += 1
            for sender, changes in found.items():
                self._deliver(sender, changes)

    def _deliver(self, sender: str, changes: dict[str, Any]) -> None:
        streams = self.streams.get(sender)
        if not streams:
            return  # closed meanwhile; claimed notices are replayed by GET /api/chat
        shared = {**changes, "notices": []}
        streams[0].take(changes)
        for stream in streams[1:]:
            stream.take(shared)

