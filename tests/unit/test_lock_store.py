"""The conversation lock on Redis: Rasa's tickets, a short wait between tries."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest
import redis
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
