"""Rasa's conversation lock on Redis, in two round trips per message instead of seven.

Rasa answers one message per conversation at a time, with a ticket lock kept in Redis: a message
takes the next ticket, waits until its ticket is the one served, and gives it back when answered.
Rasa's `RedisLockStore` does that with a synchronous client, on the event loop, as separate
reads and writes: issuing a ticket is a GET and a SET, acquiring it a GET, giving it back a GET, a
SET, another GET and a DEL. Seven round trips per message during which the Rasa worker serves no
one else (profiled: a seventh of a Rasa worker's busy time at 32 conversations,
bench/PROFILE.md), and two workers issuing tickets for one conversation at the same moment can
read the same lock and hand out the same number.

Here each step is one Lua script, run atomically by Redis, on an asynchronous client: taking a
ticket also says whether it is served at once (the usual case: one round trip), giving it back is
the second. The lock is stored as Rasa stores it (the same key and JSON), with Rasa's rules:
tickets in order, expired tickets dropped, the lock deleted when nobody holds or waits for it. A
message that must wait polls every `POLL_SECONDS` (Rasa's default is a whole second: citizens on
WeChat and Telegram often send two or three short messages in a row).
Selected in the rendered endpoints (`bot/runner.py`) as `type: bot.lock_store.RedisLockStore`.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator

import redis.asyncio as aioredis
from rasa.core import lock_store
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig
from redis.commands.core import AsyncScript
from redis.connection import SSLConnection
from redis.exceptions import RedisError

POLL_SECONDS = 0.05

TICKETS = """
local key, op, conversation, now = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3])
local raw = redis.call('GET', key)
if not raw and op ~= 'issue' then return {-1, 0} end
local tickets = {}
if raw then
  for _, text in ipairs(cjson.decode(raw).tickets or {}) do
    local ticket = cjson.decode(text)
    if ticket.expires >= now then table.insert(tickets, ticket) end
  end
end
local function save()
  if #tickets == 0 then redis.call('DEL', key) return end
  local parts = {}
  for i, t in ipairs(tickets) do
    parts[i] = cjson.encode(string.format('{"number": %d, "expires": %.6f}', t.number, t.expires))
  end
  redis.call('SET', key, '{"conversation_id": ' .. cjson.encode(conversation) ..
    ', "tickets": [' .. table.concat(parts, ', ') .. ']}')
end
local serving = tickets[1] and tickets[1].number or 0
if op == 'issue' then
  local number = (tickets[#tickets] and tickets[#tickets].number or -1) + 1
  table.insert(tickets, {number = number, expires = now + tonumber(ARGV[4])})
  save()
  return {number, (tickets[1].number == number) and 1 or 0}
end
local ticket = tonumber(ARGV[4])
if op == 'try' then
  if serving == ticket then return {ticket, 1} end
  save()
  return {ticket, 0}
end
for i, t in ipairs(tickets) do
  if t.number == ticket then table.remove(tickets, i) break end
end
save()
return {ticket, 0}
"""
"""One step of Rasa's ticket lock on the lock's JSON: `issue` a ticket (→ its number, whether it
is served now), `try` a ticket (→ served or not; -1 when the lock is gone), `release` it."""


class RedisLockStore(lock_store.RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)
        self._scripts: dict[asyncio.AbstractEventLoop, AsyncScript] = {}

    def _tickets(self) -> AsyncScript:
        """`TICKETS` on an asynchronous client of the running loop (a connection belongs to one
        loop), with the synchronous client's address, database, credentials and timeouts."""
        loop = asyncio.get_running_loop()
        script = self._scripts.get(loop)
        if script is None:
            pool = self.red.connection_pool
            settings = {
                name: value
                for name, value in pool.connection_kwargs.items()
                if name in ("host", "port", "db", "username", "password", "socket_timeout")
                or name.startswith("ssl_")
            }
            if issubclass(pool.connection_class, SSLConnection):
                settings["ssl"] = True
            script = self._scripts[loop] = aioredis.Redis(**settings).register_script(TICKETS)
        return script

    async def _step(self, op: str, conversation_id: str, argument: float) -> tuple[int, bool]:
        arguments = [op, conversation_id, time.time(), argument]
        try:
            number, served = await self._tickets()(
                keys=[self.key_prefix + conversation_id], args=arguments
            )
        except (OSError, RedisError) as error:
            raise LockError(f"Error while using the conversation lock: {error!r}") from error
        return int(number), bool(served)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = lock_store.LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket, served = await self._step("issue", conversation_id, lock_lifetime)
        try:
            while not served:
                await asyncio.sleep(wait_time_in_seconds)
                number, served = await self._step("try", conversation_id, ticket)
                if number < 0:
                    raise LockError(
                        f"Could not acquire lock for conversation_id '{conversation_id}'."
                    )
            yield TicketLock(conversation_id)
        finally:
            await self._step("release", conversation_id, ticket)
