"""Rate limits for the web service: sliding windows, in memory or shared through Redis.

A `Rule` allows `limit` hits per `window` seconds for one key (an address, a sender, a username).
`Windows.hit` records a hit and answers how long to wait when the rule is exceeded. One process
keeps its windows in memory; with `REDIS_URL` set every web process counts in the same Redis
sorted sets, so several instances enforce one limit. When Redis is unreachable the process falls
back to its own memory rather than letting everything through or refusing everyone.

Rules are configured as `"N/SECONDS"` strings in `bot.config.Settings` (e.g. `"20/60"`).
Several rules that one request passes together (a chat message: per conversation and per
address) are checked at once, `check_all`: in one Redis round trip, and a hit is recorded under
each of them only when none is full.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import uuid
from collections import Counter, defaultdict, deque
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

from redis.exceptions import RedisError
from sanic.exceptions import SanicException

from bot.config import Settings

log = logging.getLogger(__name__)

Hits = Sequence[tuple["Rule", str]]
"""(rule, key) pairs one request is counted under."""
TOO_MANY = "请求过于频繁，请{wait}后再试"
LOCKED = "登录失败次数过多，请{wait}后再试"


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window: float

    @classmethod
    def parse(cls, name: str, text: str) -> Rule:
        """`"20/60"` → 20 hits per 60 seconds; the setting's name is in the error."""
        count, _, seconds = text.partition("/")
        try:
            rule = cls(name, int(count), float(seconds))
        except ValueError:
            raise ValueError(f"{name}: expected N/SECONDS such as 20/60, got {text!r}") from None
        if rule.limit < 1 or rule.window <= 0:
            raise ValueError(f"{name}: limit and window must be positive, got {text!r}")
        return rule


class Limited(SanicException):
    """429: a rule was exceeded; `retry_after` seconds until its oldest hit leaves the window."""

    status_code = 429
    quiet = True

    def __init__(self, rule: Rule, retry_after: float, message: str = TOO_MANY) -> None:
        self.rule = rule
        self.retry_after = max(1, math.ceil(retry_after))
        self.headers = {"Retry-After": str(self.retry_after)}
        super().__init__(message.format(wait=wait_text(self.retry_after)))


def wait_text(seconds: int) -> str:
    return f"{seconds}秒" if seconds < 60 else f"{math.ceil(seconds / 60)}分钟"


class MemoryWindows:
    """Hit times per key, for one process."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._max_keys = max_keys

    async def hit(
        self, rule: Rule, key: str, *, record: bool = True, now: Optional[float] = None
    ) -> Optional[float]:
        return self.hit_now(rule, key, record=record, now=now)

    async def hit_all(self, hits: Hits, *, record: bool = True) -> Optional[tuple[Rule, float]]:
        return self.hit_all_now(hits, record=record)

    def hit_now(
        self, rule: Rule, key: str, *, record: bool = True, now: Optional[float] = None
    ) -> Optional[float]:
        return _wait(self.hit_all_now([(rule, key)], record=record, now=now))

    def hit_all_now(
        self, hits: Hits, *, record: bool = True, now: Optional[float] = None
    ) -> Optional[tuple[Rule, float]]:
        """The first full rule of `hits` and the wait until it has room, or None after recording
        a hit under every one of them (`record`)."""
        now = time.monotonic() if now is None else now
        windows = []
        for rule, key in hits:
            times = self._hits[f"{rule.name}:{key}"]
            while times and times[0] <= now - rule.window:
                times.popleft()
            if len(times) >= rule.limit:
                return rule, times[0] + rule.window - now
            windows.append(times)
        if record:
            for times in windows:
                times.append(now)
            if len(self._hits) > self._max_keys:
                self._forget_idle(now)
        return None

    async def forget(self, rule: Rule, key: str) -> None:
        self._hits.pop(f"{rule.name}:{key}", None)

    def _forget_idle(self, now: float) -> None:
        """Drop keys without a recent hit, so a flood of new addresses cannot grow memory forever."""
        for name in [k for k, hits in self._hits.items() if not hits or hits[-1] < now - 3600]:
            del self._hits[name]


class RedisWindows:
    """The same windows in Redis sorted sets (score = hit time), shared by every process; one Lua
    script per hit, so two processes never both take the last place in a window."""

    PREFIX = "zs:rate:"
    SCRIPT = """
    local now, record, member = tonumber(ARGV[1]), ARGV[2] == '1', ARGV[3]
    for i, key in ipairs(KEYS) do
      local window, limit = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
      if redis.call('ZCARD', key) >= limit then
        local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
        return {i, tostring(tonumber(oldest[2]) + window - now)}
      end
    end
    if record then
      for i, key in ipairs(KEYS) do
        redis.call('ZADD', key, now, member)
        redis.call('EXPIRE', key, math.ceil(tonumber(ARGV[2 + 2 * i])))
      end
    end
    return false
    """

    def __init__(self, url: str, namespace: str = "") -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._prefix = f"{self.PREFIX}{namespace}:" if namespace else self.PREFIX
        self._script = self._redis.register_script(self.SCRIPT)
        self._fallback = MemoryWindows()

    async def hit(
        self, rule: Rule, key: str, *, record: bool = True, now: Optional[float] = None
    ) -> Optional[float]:
        return _wait(await self.hit_all([(rule, key)], record=record, now=now))

    async def hit_all(
        self, hits: Hits, *, record: bool = True, now: Optional[float] = None
    ) -> Optional[tuple[Rule, float]]:
        """As `MemoryWindows.hit_all_now`, atomically across processes, in one round trip."""
        now = time.time() if now is None else now
        arguments: list = [now, "1" if record else "0", uuid.uuid4().hex]
        for rule, _ in hits:
            arguments += [rule.window, rule.limit]
        keys = [f"{self._prefix}{rule.name}:{key}" for rule, key in hits]
        try:
            full = await self._script(keys=keys, args=arguments)
        except (OSError, RedisError) as error:
            log.warning("rate limit store unreachable (%s); counting here", type(error).__name__)
            return self._fallback.hit_all_now(hits, record=record)
        return None if full is None else (hits[int(full[0]) - 1][0], float(full[1]))

    async def forget(self, rule: Rule, key: str) -> None:
        try:
            await self._redis.delete(f"{self._prefix}{rule.name}:{key}")
        except (OSError, RedisError):
            await self._fallback.forget(rule, key)

    async def aclose(self) -> None:
        await self._redis.close()


class InFlight:
    """At most `limit` requests per key being worked on at once in this process: a burst of
    logins from one address waits for no password hash, it is refused (429) instead, so the
    failures counted after each hash cannot overshoot their window by the burst's width."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: Counter[str] = Counter()

    def check(self, key: str) -> None:
        """Raise `Limited` when `key` already has `limit` requests being worked on."""
        if self._held[key] >= self.limit:
            raise Limited(Rule("in-flight", self.limit, 1), 1)

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        self.check(key)
        self._held[key] += 1
        try:
            yield
        finally:
            self._held[key] -= 1
            if self._held[key] <= 0:
                del self._held[key]


Windows = MemoryWindows | RedisWindows


def _wait(full: Optional[tuple[Rule, float]]) -> Optional[float]:
    return None if full is None else full[1]


def windows_for(settings: Settings) -> Windows:
    """Redis windows when `REDIS_URL` is set, named after the database, so the instances of one
    deployment share their limits and another deployment on the same Redis does not."""
    if not settings.redis_url:
        return MemoryWindows()
    namespace = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
    return RedisWindows(settings.redis_url, namespace)


async def check(
    windows: Windows, rule: Rule, key: str, *, record: bool = True, message: str = TOO_MANY
) -> None:
    """Count one hit of `key` under `rule` (or only look, `record=False`); raise `Limited` when
    the window is already full. `message` may name the wait as `{wait}`."""
    await check_all(windows, [(rule, key)], record=record, message=message)


async def check_all(
    windows: Windows, hits: Hits, *, record: bool = True, message: str = TOO_MANY
) -> None:
    """`check` for several (rule, key) at once: a hit is counted under each, or, when any of
    them is full, under none and `Limited` names the first full rule."""
    full = await windows.hit_all(hits, record=record)
    if full is not None:
        raise Limited(*full, message)


@dataclass(frozen=True)
class Rules:
    """The web service's limits, from the settings."""

    ip: Rule
    chat_sender: Rule
    chat_ip: Rule
    login_user: Rule
    login_ip: Rule

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        return cls(
            ip=Rule.parse("RATE_LIMIT_IP", settings.rate_limit_ip),
            chat_sender=Rule.parse("RATE_LIMIT_CHAT_SENDER", settings.rate_limit_chat_sender),
            chat_ip=Rule.parse("RATE_LIMIT_CHAT_IP", settings.rate_limit_chat_ip),
            login_user=Rule.parse("RATE_LIMIT_LOGIN_USER", settings.rate_limit_login_user),
            login_ip=Rule.parse("RATE_LIMIT_LOGIN_IP", settings.rate_limit_login_ip),
        )
