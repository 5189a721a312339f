"""Rasa's SQL event broker on SQLite: our engine (WAL), and the monitor still reads its events."""

from __future__ import annotations

import asyncio
import dataclasses
import json

from rasa.core.brokers.broker import EventBroker as RasaEventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import create_engine, text

from bot.event_broker import EventBroker
from bot.hotspots.monitor import rasa_events_db
from bot.runner import render_endpoints


def test_the_rendered_broker_is_ours_in_wal_mode_and_its_events_are_readable(settings):
    settings = dataclasses.replace(settings, rabbitmq_url="")
    config = EndpointConfig.from_dict(render_endpoints(settings)["event_broker"])
    broker = asyncio.run(RasaEventBroker.create(config))
    assert isinstance(broker, EventBroker)
    with broker.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    for text_ in ("路灯坏了", "噪音扰民"):
        broker.publish({"event": "user", "sender_id": "portal:abc", "text": text_})
    reader = create_engine(f"sqlite:///{rasa_events_db(settings)}")
    with reader.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, data FROM events ORDER BY id")).all()
    reader.dispose()
    broker.engine.dispose()
    assert [sender for sender, _ in rows] == ["portal:abc", "portal:abc"]
    assert [json.loads(data)["text"] for _, data in rows] == ["路灯坏了", "噪音扰民"]
