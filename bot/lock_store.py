"""Rasa's Redis lock store, waiting a twentieth of a second between tries instead of a second.

Rasa answers one message per conversation at a time: a message that arrives while the previous
one is being answered waits for the conversation's lock, polling Redis every
`wait_time_in_seconds`, which Rasa leaves at 1 s. Citizens on WeChat and Telegram often send two
or three short messages in a row, so the second waited up to a whole second after the first was
answered. The lock and its tickets are Rasa's, unchanged; only the poll interval is shorter.
Selected in the rendered endpoints (`bot/runner.py`) as `type: bot.lock_store.RedisLockStore`.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncGenerator

from rasa.core import lock_store
from rasa.core.lock import TicketLock
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05


class RedisLockStore(lock_store.RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = lock_store.LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as lock:
            yield lock
