"""The tracker store Rasa loads from the rendered endpoints: SQLite in WAL mode, nothing lost."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from rasa.core.tracker_store import TrackerStore as RasaTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.config import PROJECT_ROOT, Settings
from bot.localstack import POSTGRES_ADMIN_URL, create_postgres_database, drop_postgres_database
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

        admin = psycopg2.connect(POSTGRES_ADMIN_URL)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )
        admin.close()

        again = asyncio.run(store.retrieve("citizen"))
        assert again is not None and again.get_slot("policy_context") == {"policy_id": "rules"}
        store.engine.dispose()
    finally:
        drop_postgres_database(database)
