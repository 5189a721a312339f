"""The tracker store Rasa loads from the rendered endpoints: SQLite in WAL mode, nothing lost."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker as RasaEventBroker
from rasa.core.tracker_store import TrackerStore as RasaTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.config import PROJECT_ROOT, Settings
from bot.localstack import (
    create_postgres_database,
    drop_postgres_database,
    end_postgres_connections,
)
from bot.runner import render_endpoints
from bot.tracker_store import TrackerStore


def _store(tmp_path) -> RasaTrackerStore:
    settings = dataclasses.replace(
        Settings.from_env(), var_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/z.db"
    )
    config = render_endpoints(settings)["tracker_store"]
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    return RasaTrackerStore.create(EndpointConfig.from_dict(config), domain)


def test_the_rendered_endpoints_load_our_store_not_rasas_in_memory_fallback(tmp_path):
    store = _store(tmp_path)
    assert isinstance(store, TrackerStore)
    assert store.engine.dialect.name == "sqlite"
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_every_event_is_stored_once_and_in_order_across_store_instances(tmp_path):
    """As Rasa's processor does: retrieve the tracker, add the message's events, save."""
    store = _store(tmp_path)
    tracker = DialogueStateTracker("citizen", store.domain.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    asyncio.run(store.save(tracker))
    texts = [f"第{i}条消息" for i in range(30)]
    for text in texts:
        tracker = asyncio.run(store.retrieve("citizen"))
        tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
        asyncio.run(store.save(tracker))

    reopened = _store(tmp_path)
    stored = asyncio.run(reopened.retrieve("citizen"))
    said = [e.text for e in stored.events if isinstance(e, UserUttered)]
    assert said == texts


def test_postgresql_also_gets_our_store_with_queries_off_the_event_loop(tmp_path):
    settings = dataclasses.replace(
        Settings.from_env(), var_dir=tmp_path, database_url="postgresql://postgres@db:5432/zs"
    )
    config = render_endpoints(settings)["tracker_store"]
    assert config["type"] == "bot.tracker_store.TrackerStore"
    assert (config["dialect"], config["url"], config["db"]) == ("postgresql", "db", "zs")


def test_a_conversation_survives_postgresql_dropping_the_pooled_connections(tmp_path):
    """After PostgreSQL drops connections (a restart, a failover, an outage), the next retrieve
    must still find the conversation: a failed one makes Rasa start it afresh, losing its slots."""
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        database = create_postgres_database("zs_tracker")
    except psycopg2.OperationalError:
        pytest.skip("PostgreSQL is not running")
    try:
        settings = dataclasses.replace(
            Settings.from_env(),
            var_dir=tmp_path,
            database_url=f"postgresql://postgres@127.0.0.1:5432/{database}",
        )
        config = render_endpoints(settings)["tracker_store"]
        domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
        store = RasaTrackerStore.create(EndpointConfig.from_dict(config), domain)
        tracker = DialogueStateTracker("citizen", domain.slots)
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(SlotSet("policy_context", {"policy_id": "rules"}))
        asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("citizen")) is not None

        end_postgres_connections(database)

        again = asyncio.run(store.retrieve("citizen"))
        assert again is not None and again.get_slot("policy_context") == {"policy_id": "rules"}
        store.engine.dispose()
    finally:
        drop_postgres_database(database)


class ListBroker:
    """A broker without `publish_many`, as RabbitMQ's is: one `publish` per event."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []

    def publish(self, body: dict) -> None:
        self.bodies.append(body)


def _say_thirty_things(store: RasaTrackerStore) -> list[str]:
    """As Rasa's processor does, with the conversation's first events; what the citizen said."""
    tracker = DialogueStateTracker("citizen", store.domain.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    asyncio.run(store.save(tracker))
    texts = [f"第{i}条消息" for i in range(30)]
    for text in texts:
        tracker = asyncio.run(store.retrieve("citizen"))
        tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))
    return texts


def test_each_new_event_goes_to_the_broker_once_in_order_without_loading_the_tracker_again(
    tmp_path, monkeypatch
):
    store = _store(tmp_path)
    store.event_broker = ListBroker()
    retrieve = store.retrieve
    loads = []

    async def counted(sender_id, *args, **kwargs):
        loads.append(sender_id)
        return await retrieve(sender_id, *args, **kwargs)

    monkeypatch.setattr(store, "retrieve", counted)
    texts = _say_thirty_things(store)
    assert len(loads) == 30  # the processor's own loads only; saving loads nothing
    published = store.event_broker.bodies
    assert [b["event"] for b in published[:2]] == ["action", "session_started"]
    assert [b["text"] for b in published if b["event"] == "user"] == texts
    assert len(published) == 2 + 2 * 30
    assert {b["sender_id"] for b in published} == {"citizen"}


def test_our_sql_broker_takes_a_messages_events_in_one_batch_in_order(tmp_path, settings):
    settings = dataclasses.replace(settings, rabbitmq_url="", var_dir=tmp_path)
    config = EndpointConfig.from_dict(render_endpoints(settings)["event_broker"])
    broker = asyncio.run(RasaEventBroker.create(config))
    store = _store(tmp_path)
    store.event_broker = broker
    batches = []
    publish_many = broker.publish_many
    broker.publish_many = lambda bodies: (batches.append(len(bodies)), publish_many(bodies))
    texts = _say_thirty_things(store)
    with broker.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT data FROM events ORDER BY id").all()
    broker.engine.dispose()
    said = [json.loads(data)["text"] for (data,) in rows if json.loads(data)["event"] == "user"]
    assert said == texts
    assert batches == [2] + [2] * 30


def test_a_loaded_or_new_tracker_is_saved_without_counting_its_stored_events(tmp_path):
    """The load told how many events are stored, or that none are (Rasa then saves the empty
    tracker it creates, which stores nothing); only a tracker the store neither loaded nor saw
    created is counted in the database, and nothing is stored twice."""
    store = _store(tmp_path)
    counts: list[str] = []
    sa.event.listen(
        store.engine,
        "before_cursor_execute",
        lambda *args: counts.append(args[2]) if "count(" in args[2].lower() else None,
    )
    assert asyncio.run(store.retrieve("citizen")) is None
    tracker = DialogueStateTracker("citizen", store.domain.slots)  # as Rasa creates it
    asyncio.run(store.save(tracker))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    asyncio.run(store.save(tracker))
    for text in ("第一句", "第二句"):
        tracker = asyncio.run(store.retrieve("citizen"))
        tracker.update(UserUttered(text, {"name": "inform", "confidence": 1.0}))
        asyncio.run(store.save(tracker))
    assert counts == [], "new and loaded trackers are saved without a count query"
    asyncio.run(store.save(tracker))  # the same tracker again: counted, nothing new stored
    other = DialogueStateTracker("citizen", store.domain.slots)  # one it did not see created
    other.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(other))
    assert len(counts) == 2
    stored = asyncio.run(store.retrieve("citizen"))
    said = [e.text for e in stored.events if isinstance(e, UserUttered)]
    assert said == ["第一句", "第二句"] and len(stored.events) == 3
