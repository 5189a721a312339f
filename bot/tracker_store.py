"""Rasa's SQL tracker store, with the embedded SQLite database set up the way our own data is.

Rasa opens SQLite with SQLAlchemy 1.4's defaults: a new connection for every session and a
rollback journal that is fsynced on every commit, so each message pays for two connects and two
fsyncs (measured: a fifth of the Rasa process's time per message). Here SQLite gets the settings of
`bot.db.make_engine`: write-ahead log, `synchronous=NORMAL` (a commit survives the process crashing;
only a power cut can take back the last ones) and a busy timeout, through a small connection pool.
PostgreSQL keeps Rasa's pool settings, with one addition: each pooled connection is checked
before use (`bot.db.check_pooled_connections`: locally, without a round trip). Without it, after
PostgreSQL restarts or drops connections, every stale connection in a Rasa worker's pool fails
once; Rasa's fail-safe store then answers that message from an empty conversation, so slots
(e.g. the policy a follow-up refers to) and open forms are lost at random, on whichever worker
picks a stale connection.

On either database Rasa runs its queries on the event loop: while one conversation's events load
or save, the Rasa worker answers nobody else (profiled under 32 conversations, bench/PROFILE.md).
Here the loading, the JSON decoding and the saving run on a worker thread; the conversation lock
(held around the whole message) still keeps one conversation's loads and saves in order. A load is
one SELECT, consistent on its own, so it runs outside a transaction: on PostgreSQL psycopg2 would
otherwise send a BEGIN before it and a ROLLBACK after it, two round trips more per message.

Rasa's `save` also streams the new events to the event broker by loading the whole conversation a
second time and replaying it, only to find which events are new (a quarter of a Rasa worker's busy
time at one conversation on SQLite, bench/PROFILE.md). Here the save finds them once, by the count
already stored, stores them, and hands the same events to the broker. That count is what the
load of the same tracker read (the conversation lock keeps anyone else from storing events for
it meanwhile); for a new conversation, the empty tracker Rasa creates after a load found nothing
has none stored. So a message's save asks the database only for a tracker it neither loaded nor
saw created (Rasa counts them with a query on every save), and saving a tracker without events,
as Rasa does with each new one, does nothing. our SQL broker writes them
in the save's thread in one transaction; any other broker (RabbitMQ) gets them on the event loop
as Rasa gives them, one `publish` each.
Selected in the rendered endpoints (`bot/runner.py`) as `type: bot.tracker_store.TrackerStore`.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.db import check_pooled_connections, make_engine

SQLITE_POOL_SIZE = 4
MAX_ABSENT = 10_000
"""Conversations remembered as having nothing stored, at most (the oldest are forgotten)."""


class TrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose SQLite engine is ours (WAL, pooled connections) and whose queries
    run off the event loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: dict[int, tuple[weakref.ref, int]] = {}
        """id(tracker) → (the tracker, how many of its events were stored when it was loaded)."""
        self._absent: dict[str, None] = {}
        """Conversations whose last load found nothing stored, oldest first."""
        if self.engine.dialect.name == "sqlite":
            use_our_sqlite_engine(self)
        else:
            url = self.engine.url
            self.engine.dispose()
            self.engine = check_pooled_connections(
                sa.create_engine(url, **create_engine_kwargs(url))
            )
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        def load() -> list[dict]:
            reads = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            with self.sessionmaker(bind=reads) as session:
                rows = self._event_query(
                    session,
                    sender_id,
                    fetch_events_from_all_sessions=fetch_events_from_all_sessions,
                ).all()
                return [json.loads(row.data) for row in rows]

        events = await asyncio.to_thread(load)
        if not (self.domain and events):
            if self.domain:
                self._absent[sender_id] = None
                if len(self._absent) > MAX_ABSENT:
                    del self._absent[next(iter(self._absent))]
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            self._remember_stored(tracker, len(events))
        return tracker

    def _remember_stored(self, tracker: DialogueStateTracker, count: int) -> None:
        """Note that `count` events of `tracker` (those of its latest session, the ones Rasa's
        count query counts) are stored; forgotten when the tracker is saved or collected."""
        key = id(tracker)
        self._loaded[key] = (weakref.ref(tracker, lambda _: self._loaded.pop(key, None)), count)

    def _stored_count(self, session: Any, tracker: DialogueStateTracker) -> int:
        """How many of `tracker`'s events are stored: as loaded, or else Rasa's count query."""
        reference, count = self._loaded.pop(id(tracker), (None, 0))
        if reference is not None and reference() is tracker:
            return count
        return self._event_query(
            session, tracker.sender_id, fetch_events_from_all_sessions=False
        ).count()

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not tracker.events:
            # Nothing to store. Rasa saves the empty tracker it creates when a load found
            # nothing: that one has no events stored when its first events are saved.
            if self._absent.pop(tracker.sender_id, "") is None:
                self._remember_stored(tracker, 0)
            return
        stored = await asyncio.to_thread(self._store_new_events, tracker)
        if self.event_broker is not None and not hasattr(self.event_broker, "publish_many"):
            for body in stored:
                self.event_broker.publish(body)

    def _store_new_events(self, tracker: DialogueStateTracker) -> list[dict[str, Any]]:
        """Store the events not stored yet, as `SQLTrackerStore.save` does, and give them to a
        broker that takes them in a batch; the events as the broker's bodies."""
        bodies, rows = [], []
        with self.session_scope() as session:
            for event in list(tracker.events)[self._stored_count(session, tracker) :]:
                data = event.as_dict()
                bodies.append({"sender_id": tracker.sender_id, **data})
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:  # one multi-row INSERT, without the ORM's unit of work
                session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()
        if bodies and hasattr(self.event_broker, "publish_many"):
            self.event_broker.publish_many(bodies)
        return bodies


def use_our_sqlite_engine(store: Any) -> None:
    """Give a Rasa SQL store (`engine`, `sessionmaker`) on SQLite our engine: WAL, pooled."""
    if store.engine.dialect.name != "sqlite":
        return
    url = store.engine.url
    store.engine.dispose()
    store.engine = make_engine(
        str(url), poolclass=QueuePool, pool_size=SQLITE_POOL_SIZE, max_overflow=8
    )
    store.sessionmaker = sessionmaker(bind=store.engine)
