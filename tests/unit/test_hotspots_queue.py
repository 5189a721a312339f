"""Chat events through the real RabbitMQ (127.0.0.1:5672, started by scripts/services.sh): what
Rasa's pika broker publishes while the monitor is down waits in the durable queue, and the
monitor's consumer stores each chat line once and acknowledges it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid

import aio_pika
from sqlalchemy import select

from bot.hotspots.models import HotspotItem
from bot.hotspots.monitor import consume_queue

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"


async def publish(queue: str, events: list[dict]) -> None:
    connection = await aio_pika.connect_robust(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(queue, durable=True)
        for event in events:
            await channel.default_exchange.publish(
                aio_pika.Message(json.dumps(event, ensure_ascii=False).encode()), routing_key=queue
            )


async def remaining(queue: str) -> int:
    connection = await aio_pika.connect_robust(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        count = declared.declaration_result.message_count
        await declared.delete(if_unused=False, if_empty=False)
        return count


def test_events_published_while_the_monitor_was_down_are_stored_once(settings, db):
    queue = f"zs-test-{uuid.uuid4().hex[:8]}"
    settings = dataclasses.replace(settings, rabbitmq_url=RABBITMQ_URL)
    sender = f"telegram:{uuid.uuid4().int % 10**9}"
    events = [
        {"event": "user", "sender_id": sender, "text": "临港路停水了", "timestamp": 1796000000.0, "input_channel": "telegram"},
        {"event": "bot", "sender_id": sender, "text": "您好", "timestamp": 1796000001.0},
        {"event": "user", "sender_id": sender, "text": "/affirm", "timestamp": 1796000002.0},
        {"event": "user", "sender_id": sender, "text": "临港路停水了", "timestamp": 1796000000.0, "input_channel": "telegram"},
    ]

    async def scenario() -> None:
        await publish(queue, events)
        consumer = asyncio.create_task(consume_queue(settings, db, queue))
        for _ in range(100):
            await asyncio.sleep(0.1)
            with db.session() as session:
                if session.execute(select(HotspotItem).where(HotspotItem.sender_id == sender)).first():
                    break
        await asyncio.sleep(0.5)
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)

    asyncio.run(scenario())
    with db.session() as session:
        items = session.execute(select(HotspotItem).where(HotspotItem.sender_id == sender)).scalars().all()
        assert [(i.text, i.channel, i.source) for i in items] == [("临港路停水了", "telegram", "chat")]
    assert asyncio.run(remaining(queue)) == 0, "every event was acknowledged"
