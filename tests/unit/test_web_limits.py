"""Sliding-window rate limits, in memory and shared through Redis, and the per-route body caps."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from bot.config import Settings
from bot.localstack import REDIS_TEST_URL
from bot.web import limits
from bot.web.gate import body_cap

RULE = limits.Rule("test", limit=3, window=60)


def run(coroutine):
    return asyncio.run(coroutine)


def test_rules_are_read_from_the_settings_and_bad_ones_name_the_setting():
    rules = limits.Rules.from_settings(Settings(rate_limit_login_ip="7/900"))
    assert rules.login_ip == limits.Rule("RATE_LIMIT_LOGIN_IP", 7, 900.0)
    with pytest.raises(ValueError, match="RATE_LIMIT_CHAT_IP"):
        limits.Rules.from_settings(Settings(rate_limit_chat_ip="many"))
    with pytest.raises(ValueError, match="positive"):
        limits.Rule.parse("X", "0/60")


def test_memory_window_refuses_the_hit_after_the_limit_until_the_oldest_leaves():
    windows = limits.MemoryWindows()
    for second in range(3):
        assert windows.hit_now(RULE, "a", now=second) is None
    assert windows.hit_now(RULE, "a", now=10) == pytest.approx(50)
    assert windows.hit_now(RULE, "b", now=10) is None, "other keys have their own window"
    assert windows.hit_now(RULE, "a", now=60.5) is None, "the hit at 0 has left the window"


def test_looking_does_not_count_and_forgetting_clears():
    windows = limits.MemoryWindows()
    for _ in range(5):
        assert windows.hit_now(RULE, "a", record=False) is None
    for _ in range(3):
        windows.hit_now(RULE, "a")
    assert windows.hit_now(RULE, "a", record=False) is not None
    run(windows.forget(RULE, "a"))
    assert windows.hit_now(RULE, "a") is None


def test_check_raises_429_in_chinese_with_retry_after():
    windows = limits.MemoryWindows()

    async def scenario():
        for _ in range(3):
            await limits.check(windows, RULE, "a")
        await limits.check(windows, RULE, "a")

    with pytest.raises(limits.Limited) as raised:
        run(scenario())
    assert raised.value.status_code == 429
    assert raised.value.headers["Retry-After"] == "60"
    assert str(raised.value) == "请求过于频繁，请1分钟后再试"


def test_redis_windows_are_shared_between_instances():
    key = uuid.uuid4().hex

    async def scenario():
        first, second = limits.RedisWindows(REDIS_TEST_URL), limits.RedisWindows(REDIS_TEST_URL)
        try:
            waits = [await (first if i % 2 else second).hit(RULE, key) for i in range(4)]
            looked = await first.hit(RULE, key, record=False)
            await second.forget(RULE, key)
            after = await first.hit(RULE, key)
        finally:
            await first.aclose()
            await second.aclose()
        return waits, looked, after

    waits, looked, after = run(scenario())
    assert waits[:3] == [None, None, None]
    assert 59 < waits[3] <= 60 and 59 < looked <= 60
    assert after is None


def test_redis_down_falls_back_to_counting_in_the_process():
    async def scenario():
        windows = limits.RedisWindows("redis://127.0.0.1:1/0")
        try:
            return [await windows.hit(RULE, "a") for _ in range(4)]
        finally:
            await windows.aclose()

    waits = run(scenario())
    assert waits[:3] == [None, None, None] and waits[3] is not None


def test_body_caps_are_smaller_than_the_global_megabyte_where_sensible():
    assert body_cap("/api/chat") == 16_000
    assert body_cap("/login") == 8_000
    assert body_cap("/operator/tickets") == 64_000
    longest = json.dumps({"message": "舟" * 2000})
    assert len(longest) < body_cap("/api/chat"), "2,000 escaped characters fit"


def test_in_flight_refuses_more_than_its_limit_at_once_per_key():
    gate = limits.InFlight(2)
    with gate.hold("a"), gate.hold("a"):
        with pytest.raises(limits.Limited):
            with gate.hold("a"):
                pass
        with gate.hold("b"):
            pass
    with gate.hold("a"), gate.hold("a"):
        pass


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_rules_checked_together_count_a_hit_under_all_or_none(kind):
    """A chat message counts per conversation and per address in one step: when the address is
    full, the conversation's window is not used up by the refused message."""
    sender, address = limits.Rule("sender", 2, 60), limits.Rule("address", 3, 60)
    names = [uuid.uuid4().hex for _ in range(3)]
    here, there, third = (f"{uuid.uuid4().hex}-{n}" for n in range(3))

    async def scenario():
        windows = limits.RedisWindows(REDIS_TEST_URL) if kind == "redis" else limits.MemoryWindows()
        try:
            for name in names:  # three conversations from one address, one message each
                await limits.check_all(windows, [(sender, name), (address, here)])
            with pytest.raises(limits.Limited) as refused:
                await limits.check_all(windows, [(sender, names[0]), (address, here)])
            elsewhere = await windows.hit_all([(sender, names[0]), (address, there)])
            again = await windows.hit_all([(sender, names[0]), (address, third)])
        finally:
            if kind == "redis":
                await windows.aclose()
        return refused.value, elsewhere, again

    refused, elsewhere, again = run(scenario())
    assert refused.rule == address and 59 < refused.retry_after <= 60
    assert elsewhere is None, "the refused message did not count for its conversation"
    assert again is not None and again[0] == sender and 59 < again[1] <= 60


def test_a_chat_message_is_counted_under_all_its_limits_in_one_call():
    """Before its body is read, a chat message from a verified conversation is counted under
    the address's limit and both chat limits together (one Redis round trip in production);
    without a verified conversation, and on any other route, under the address's alone."""
    from types import SimpleNamespace

    from bot.web import identity
    from bot.web.gate import hits

    secret = "s" * 32
    rules = limits.Rules.from_settings(Settings())
    app = SimpleNamespace(ctx=SimpleNamespace(settings=SimpleNamespace(secret_key=secret)))
    value = identity.mint(secret)

    def request(method, path, cookie):
        cookies = {identity.COOKIE: cookie} if cookie else {}
        return SimpleNamespace(method=method, path=path, cookies=cookies, app=app)

    sender = identity.conversation_of(secret, value)
    assert hits(request("POST", "/api/chat", value), rules, "1.2.3.4") == [
        (rules.ip, "1.2.3.4"),
        (rules.chat_sender, sender),
        (rules.chat_ip, "1.2.3.4"),
    ]
    assert hits(request("POST", "/api/chat", "forged"), rules, "1.2.3.4") == [(rules.ip, "1.2.3.4")]
    assert hits(request("POST", "/api/chat", None), rules, "1.2.3.4") == [(rules.ip, "1.2.3.4")]
    assert hits(request("GET", "/api/chat", value), rules, "1.2.3.4") == [(rules.ip, "1.2.3.4")]
    assert hits(request("POST", "/login", value), rules, "1.2.3.4") == [(rules.ip, "1.2.3.4")]
