"""The live monitor: feeds every stored item to the detector and keeps the topics' rows current.

Items come from tickets (stored with them, `service.item_from_ticket`), from the import API and
importer, and from citizens' chat lines, which Rasa's event broker delivers: on SQLite its SQL
broker's table (read here with a cursor), in production a RabbitMQ queue (`consume_queue`).
Either way nothing is lost while the monitor is down: the table and the durable queue keep the
events, the items table keeps the rest, and the monitor catches up from its cursors. At start it
rebuilds the detector from the items of the last `close_after_hours`, so a restart continues the
topics it had.

One monitor runs per deployment: the web service that holds the lock (`Lease`) runs it.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Optional

from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot import audit
from bot.config import Settings as AppSettings
from bot.db import Database, make_engine
from bot.hotspots.assess import assess, title
from bot.hotspots.detect import Detector, Message, Settings, StreamError, Topic
from bot.hotspots.models import ALERTED, WATCHING, HotspotCursor, HotspotItem, HotspotTopic
from bot.hotspots.service import ItemIn, add_item
from bot.tickets.models import as_utc
from bot.tickets.routing import Router

BATCH = 500
KEEP_FROM_SIZE = 3
"""A topic gets a row once it has this many messages (or an alert): the staff watch it grow."""
EVENTS_CURSOR = "rasa_sql_events"
USER_EVENTS = text(
    "SELECT id, sender_id, CASE WHEN instr(data, '\"event\": \"user\"') > 0 THEN data END"
    " FROM events WHERE id > :after ORDER BY id LIMIT :n"
)
"""Rasa's events from the cursor on; the JSON only of citizens' lines (most events are the bot's
replies, actions and slots: six to ten a message, each parsed for nothing before). A JSON string
escapes its quotes, so the marker cannot be matched inside a value."""

log = logging.getLogger(__name__)


def rasa_events_db(settings: AppSettings) -> Path:
    """Where Rasa's SQL event broker writes on SQLite (see bot.runner.render_endpoints)."""
    return settings.var_dir / "rasa_events.db"


def chat_item(event: dict, sender_id: str) -> Optional[ItemIn]:
    """A citizen's chat line from a Rasa `user` event; None for button presses and the rest."""
    if event.get("event") != "user":
        return None
    message = (event.get("text") or "").strip()
    if not message or message.startswith("/"):
        return None
    moment = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=as_utc().tzinfo)
    return ItemIn(
        source="chat",
        external_id=f"{sender_id}:{event.get('timestamp')}",
        text=message,
        received_at=moment,
        channel=event.get("input_channel"),
        sender_id=sender_id,
    )


class Monitor:
    def __init__(self, settings: AppSettings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.router = Router.load(settings.knowledge_dir)
        self.config = Settings.load(settings.knowledge_dir / "hotspots.yml")
        self.detector = self._new_detector()
        self.rows: dict[int, int] = {}
        self.assigned: dict[int, set[str]] = {}
        """Topic → ids of its items already stored with a topic row (written once, not per step)."""
        self.cursor = 0
        self.touched: set[int] = set()
        self.alerted: set[int] = set()
        self.merged: list[tuple[Topic, Topic]] = []
        self.hours: dict[int, Counter] = {}
        self.events_engine: Optional[Engine] = None
        """Rasa's SQL broker table on SQLite, opened once (not on every step)."""

    def _new_detector(self) -> Detector:
        return Detector(
            self.config,
            self.router.gazetteer,
            on_alert=lambda topic: self.alerted.add(topic.id),
            on_merge=lambda keep, other: self.merged.append((keep, other)),
            on_close=self._closed,
        )

    def _closed(self, topic: Topic) -> None:
        self.hours.pop(topic.id, None)
        self.rows.pop(topic.id, None)
        self.assigned.pop(topic.id, None)

    def start(self, now: Optional[datetime] = None) -> None:
        """Rebuild the open topics from the recent items, mapped to the rows they had, and write
        the topics of the items no monitor has stored with a topic yet."""
        since = as_utc(now) - self.config.close_after
        with self.db.session() as session:
            items = session.execute(
                select(HotspotItem).where(HotspotItem.received_at >= since).order_by(
                    HotspotItem.received_at, HotspotItem.id
                )
            ).scalars().all()
            self.cursor = session.execute(select(HotspotItem.id).order_by(HotspotItem.id.desc()).limit(1)).scalar() or 0
            rows_of: dict[int, Counter] = {}
            unseen: set[int] = set()
            for item in items:
                topic = self._feed(item)
                if topic is None:
                    continue
                if item.topic_id:
                    rows_of.setdefault(topic.id, Counter())[item.topic_id] += 1
                    self.assigned.setdefault(topic.id, set()).add(str(item.id))
                else:
                    unseen.add(topic.id)
            for topic_id, counts in rows_of.items():
                self.rows[topic_id] = counts.most_common(1)[0][0]
            # What came in while no monitor ran (or before its last write) is written now; the
            # rest was written before and is only mapped back to its rows.
            self.merged.clear()
            self.touched = unseen
            self._persist(session, now)

    def step(self, now: Optional[datetime] = None) -> int:
        """Take in new chat events and items, update the topics; how many items were read."""
        self.collect_chat_events()
        with self.db.session() as session:
            items = session.execute(
                select(HotspotItem).where(HotspotItem.id > self.cursor).order_by(HotspotItem.id).limit(BATCH)
            ).scalars().all()
            for item in items:
                self.cursor = item.id
                self._feed(item)
            self._persist(session, now)
        return len(items)

    def _feed(self, item: HotspotItem) -> Optional[Topic]:
        message = Message(str(item.id), as_utc(item.received_at), item.text, item.source, item.sender_id)
        try:
            topic = self.detector.add(message)
        except StreamError as error:
            log.info("hotspot item %s not grouped: %s", item.id, error)
            return None
        self.touched.add(topic.id)
        hour = message.time.replace(minute=0, second=0, microsecond=0)
        self.hours.setdefault(topic.id, Counter())[hour] += 1
        return topic

    def _persist(self, session: Session, now: Optional[datetime]) -> None:
        now = as_utc(now)
        open_topics = {topic.id: topic for topic in self.detector.open_topics}
        for keep, other in self.merged:
            self.hours.setdefault(keep.id, Counter()).update(self.hours.pop(other.id, Counter()))
            self.assigned.setdefault(keep.id, set()).update(self.assigned.pop(other.id, set()))
            if other.id in self.rows and keep.id not in self.rows:
                self.rows[keep.id] = self.rows.pop(other.id)
            elif other.id in self.rows:
                gone = self.rows.pop(other.id)
                session.execute(
                    update(HotspotItem).where(HotspotItem.topic_id == gone).values(topic_id=self.rows[keep.id])
                )
                row = session.get(HotspotTopic, gone)
                if row is not None and row.status in (WATCHING, ALERTED):
                    session.delete(row)
            self.touched.add(keep.id)
        self.merged.clear()
        for topic_id in sorted(self.touched):
            topic = open_topics.get(topic_id)
            if topic is None:
                continue
            if topic.id not in self.rows and topic.size < KEEP_FROM_SIZE and not topic.alert_at:
                continue
            self._write(session, topic, now)
        self.touched.clear()
        self.alerted.clear()

    def _write(self, session: Session, topic: Topic, now: datetime) -> None:
        row_id = self.rows.get(topic.id)
        row = session.get(HotspotTopic, row_id) if row_id else None
        if row is None:
            row = HotspotTopic(title=title(topic), status=WATCHING, first_seen=topic.first_seen, last_seen=topic.last_seen)
            session.add(row)
            session.flush()
            self.rows[topic.id] = row.id
        row.messages = topic.size
        row.citizens = len(topic.citizens) or topic.size
        row.last_seen = topic.last_seen
        row.first_seen = min(as_utc(row.first_seen), topic.first_seen)
        row.heat = json.dumps(_hourly(self.hours.get(topic.id, Counter()), topic.last_seen))
        row.updated_at = now
        if topic.alert_at and row.alert_at is None:
            found = assess(self.router, self.config, topic)
            row.title = found.title
            row.kind, row.kind_name, row.level = found.kind, found.kind_name, found.level
            row.needs_confirmation = int(found.needs_confirmation)
            row.district, row.district_name = found.district, found.district_name
            row.responsible, row.responsible_id = found.responsible, found.responsible_id
            row.co_responsible = json.dumps(found.co_responsible, ensure_ascii=False)
            row.alert_at, row.respond_by = topic.alert_at, found.respond_by
            row.press_conference_by = found.press_conference_by
            row.status = ALERTED
            audit.record(
                session, actor="system:monitor", action="alert", entity_type="hotspot",
                entity_id=str(row.id), detail={"level": found.level, "messages": topic.size}, at=now,
            )
        # only the items not yet stored with a topic: a burst of hundreds is not rewritten per step
        assigned = self.assigned.setdefault(topic.id, set())
        new = [i for i in topic.message_ids if i not in assigned]
        if new:
            session.execute(
                update(HotspotItem)
                .where(HotspotItem.id.in_([int(i) for i in new]), HotspotItem.topic_id.is_(None))
                .values(topic_id=row.id)
            )
            assigned.update(new)

    def collect_chat_events(self) -> int:
        """Citizens' chat lines from Rasa's SQL event broker table, from where the cursor is."""
        path = rasa_events_db(self.settings)
        if not self.settings.is_sqlite or not path.exists():
            return 0
        if self.events_engine is None:
            self.events_engine = make_engine(f"sqlite:///{path}", pool_size=1)
        engine = self.events_engine
        try:
            with self.db.session() as session:
                cursor = session.get(HotspotCursor, EVENTS_CURSOR)
                if cursor is None:
                    cursor = HotspotCursor(name=EVENTS_CURSOR, position=0)
                    session.add(cursor)
                with engine.connect() as events:
                    rows = events.execute(USER_EVENTS, {"after": cursor.position, "n": BATCH}).all()
                for event_id, sender, data in rows:
                    cursor.position = event_id
                    if data is None:
                        continue
                    item = chat_item(json.loads(data), sender)
                    if item is not None:
                        add_item(session, item)
                return len(rows)
        except Exception as error:  # noqa: BLE001 - the broker's table may not exist yet
            log.debug("rasa events not readable yet: %s", type(error).__name__)
            return 0


def store_queue_events(db: Database, bodies: Iterable[bytes]) -> int:
    """Rasa's events from the RabbitMQ queue as items; how many were chat lines."""
    stored = 0
    with db.session() as session:
        for body in bodies:
            try:
                event = json.loads(body)
            except ValueError:
                continue
            item = chat_item(event, str(event.get("sender_id") or ""))
            if item is not None and item.sender_id and add_item(session, item) is not None:
                stored += 1
    return stored


async def consume_queue(settings: AppSettings, db: Database, queue: str) -> None:
    """Take Rasa's events from the durable queue, storing chat lines, acknowledging each once
    stored: what is not stored stays in the queue for the next run."""
    import aio_pika

    from bot.threads import in_thread

    connection = await aio_pika.connect_robust(settings.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=200)
        declared = await channel.declare_queue(queue, durable=True)
        async with declared.iterator() as messages:
            async for message in messages:
                await in_thread(store_queue_events, db, [message.body])
                await message.ack()


def _hourly(by_hour: Counter, last: datetime, hours: int = 24) -> list[int]:
    """Messages per hour over the `hours` up to `last`, oldest first: the heat chart."""
    end = last.replace(minute=0, second=0, microsecond=0)
    return [by_hour.get(end - timedelta(hours=hours - 1 - n), 0) for n in range(hours)]
