"""The conversation lock on Redis: Rasa's tickets, atomic, two round trips, a short wait."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid

import pytest
import redis
import redis.asyncio as aioredis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot import lock_store
from bot.localstack import REDIS_TEST_URL
from bot.runner import render_endpoints

pytestmark = pytest.mark.postgres


@pytest.fixture
def store() -> lock_store.RedisLockStore:
    try:
        redis.Redis.from_url(REDIS_TEST_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    config = EndpointConfig(url="127.0.0.1", type="bot.lock_store.RedisLockStore", port=6379, db=15)
    created = LockStore.create(config)
    assert isinstance(created, lock_store.RedisLockStore)
    return created


def test_the_rendered_endpoints_select_it(settings) -> None:
    shared = dataclasses.replace(settings, redis_url="redis://127.0.0.1:6379/3")
    endpoints = render_endpoints(shared)["lock_store"]
    assert endpoints["type"] == "bot.lock_store.RedisLockStore" and endpoints["db"] == 3


def test_a_second_message_waits_for_the_first_and_polls_briefly(store, monkeypatch) -> None:
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(seconds)

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    conversation, order = f"lock-{uuid.uuid4().hex}", []

    async def message(name: str, hold: float) -> None:
        async with store.lock(conversation):
            order.append(f"{name} starts")
            await real_sleep(hold)
            order.append(f"{name} ends")

    async def both() -> None:
        first = asyncio.create_task(message("first", 0.3))
        await real_sleep(0.05)
        await message("second", 0)
        await first

    asyncio.run(both())
    assert order == ["first starts", "first ends", "second starts", "second ends"]
    assert waits and set(waits) == {lock_store.POLL_SECONDS}


def test_an_uncontended_message_takes_and_gives_back_its_ticket_in_two_round_trips(
    store, monkeypatch
) -> None:
    conversation = f"lock-{uuid.uuid4().hex}"
    commands: list[str] = []
    execute = aioredis.Redis.execute_command

    async def counted(client, *args, **kwargs):
        commands.append(str(args[0]))
        return await execute(client, *args, **kwargs)

    async def two_messages() -> list[TicketLock]:
        held = []
        async with store.lock(conversation):  # the first one may load the script
            pass
        commands.clear()
        async with store.lock(conversation):
            held.append(store.get_lock(conversation))  # Rasa's own reading of the lock
        return held

    monkeypatch.setattr(aioredis.Redis, "execute_command", counted)
    (held,) = asyncio.run(two_messages())
    assert commands == ["EVALSHA", "EVALSHA"]
    assert held.conversation_id == conversation and len(held.tickets) == 1
    assert held.now_serving == held.last_issued, "stored as Rasa stores it"
    assert store.get_lock(conversation) is None, "deleted once nobody holds or waits"


def test_messages_from_two_workers_are_answered_one_at_a_time_and_none_is_lost(store) -> None:
    other = LockStore.create(
        EndpointConfig(url="127.0.0.1", type="bot.lock_store.RedisLockStore", port=6379, db=15)
    )
    conversation, holding, order = f"lock-{uuid.uuid4().hex}", [], []

    async def message(worker: lock_store.RedisLockStore, index: int) -> None:
        async with worker.lock(conversation):
            holding.append(index)
            assert len(holding) == 1, "two messages of one conversation at once"
            order.append(index)
            await asyncio.sleep(0.01)
            holding.remove(index)

    async def many() -> None:
        await asyncio.gather(*(message((store, other)[i % 2], i) for i in range(12)))

    asyncio.run(many())
    assert sorted(order) == list(range(12)) and store.get_lock(conversation) is None


def test_a_ticket_never_given_back_expires_and_the_next_message_goes_on(store) -> None:
    conversation = f"lock-{uuid.uuid4().hex}"

    async def after_a_crash() -> float:
        await store._step("issue", conversation, 0.3)  # a worker took it and died
        started = time.monotonic()
        async with store.lock(conversation):
            return time.monotonic() - started

    waited = asyncio.run(after_a_crash())
    assert 0.2 < waited < 2
