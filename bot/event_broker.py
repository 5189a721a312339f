"""Rasa's SQL event broker on SQLite, set up the way our own data is (for the public-opinion
monitor's chat events when RabbitMQ is not used).

Rasa's `SQLEventBroker` opens SQLite with SQLAlchemy's defaults: a new connection for every event
and a rollback journal fsynced on every commit, on Rasa's event loop; a message publishes six to
ten events. Here the broker gets the engine of `bot.tracker_store` (write-ahead log,
`synchronous=NORMAL`, pooled connections), and `publish_many`: `bot.tracker_store.TrackerStore`
hands it a message's events after saving them, on the save's worker thread, and they are written
in one transaction, in order. Selected in the rendered endpoints (`bot/runner.py`) as
`type: bot.event_broker.EventBroker`.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from rasa.core.brokers.sql import SQLEventBroker

from bot.tracker_store import use_our_sqlite_engine


class EventBroker(SQLEventBroker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_our_sqlite_engine(self)

    def publish_many(self, events: Iterable[dict[str, Any]]) -> None:
        """Publish `events` in one transaction, in order (called off the event loop)."""
        with self.session_scope() as session:
            session.add_all(
                self.SQLBrokerEvent(sender_id=event.get("sender_id"), data=json.dumps(event))
                for event in events
            )
            session.commit()
