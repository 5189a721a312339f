"""Two instances of every service behind nginx, sharing PostgreSQL and Redis: 64 conversations at
once lose and reorder nothing.

Half the conversations go through nginx, which keeps each on one instance; the other half go to
the two web services directly, every message to the other instance than the one before, so a
conversation's turns are answered by different Rasa servers and action servers and only the shared
stores (Redis lock, PostgreSQL tracker) keep it whole. Afterwards each conversation's tracker must
hold exactly the citizen's messages in the order sent, each answered before the next.
"""

from __future__ import annotations

import asyncio
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx
import pytest
import redis

from bot import deploy
from bot.localstack import (
    REDIS_TEST_URL,
    drop_postgres_database,
    free_port_range,
    stack_settings,
)
from bot.web.identity import COOKIE, conversation_of

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

INSTANCES = 2
CONVERSATIONS = 64
MESSAGES = ["你好", "你是机器人吗", "谢谢", "再见"]
REQUEST_TIMEOUT = 120
WHOLE_RUN_TIMEOUT = 900


def citizens_client(timeout: float, limits: httpx.Limits) -> httpx.AsyncClient:
    """One client for many citizens: it keeps no cookies, each request carries its citizen's own
    (a shared cookie jar would hand one citizen's conversation to the next)."""
    no_cookies = CookieJar(DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(timeout=timeout, limits=limits, cookies=no_cookies)


@pytest.fixture(scope="module")
def front(tmp_path_factory, model_path):
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    var = Path(tmp_path_factory.mktemp("front"))
    base = free_port_range(3 * INSTANCES + 1)
    settings, database = stack_settings("postgres", var, proxy_trusted="127.0.0.1")
    settings = deploy.ports_from(settings, INSTANCES, base)
    try:
        supervisor = deploy.start_front(settings, INSTANCES)
    except Exception:
        drop_postgres_database(database)
        raise
    yield settings
    supervisor.stop()
    drop_postgres_database(database)


async def converse(client: httpx.AsyncClient, bases: list[str], number: int) -> str:
    """One citizen's messages, the n-th to bases[n % len(bases)]; the cookie."""
    address = {"X-Forwarded-For": f"10.20.{number // 250}.{number % 250 + 1}"}
    opened = await client.get(f"{bases[0]}/api/chat", headers=address)
    assert opened.status_code == 200, opened.text
    cookie = opened.cookies[COOKIE]
    for index, text in enumerate(MESSAGES):
        reply = await client.post(
            f"{bases[(index + number) % len(bases)]}/api/chat",
            json={"message": text},
            headers={**address, "Cookie": f"{COOKIE}={cookie}"},
        )
        assert reply.status_code == 200, (text, reply.status_code, reply.text[:200])
        assert reply.json()["messages"], text
    return cookie


async def everyone(settings) -> list[str]:
    proxy = f"http://127.0.0.1:{settings.proxy_port}"
    webs = [
        f"http://127.0.0.1:{deploy.instance_settings(settings, i).web_port}"
        for i in range(1, INSTANCES + 1)
    ]
    limits = httpx.Limits(max_connections=CONVERSATIONS + 4)
    async with citizens_client(REQUEST_TIMEOUT, limits) as client:
        talks = [
            converse(client, [proxy] if number % 2 else webs, number)
            for number in range(CONVERSATIONS)
        ]
        return await asyncio.wait_for(asyncio.gather(*talks), WHOLE_RUN_TIMEOUT)


def test_interleaved_conversations_across_instances_lose_and_reorder_nothing(front) -> None:
    cookies = asyncio.run(everyone(front))
    assert len(set(cookies)) == CONVERSATIONS
    second_rasa = deploy.instance_settings(front, INSTANCES).rasa_url
    with httpx.Client(timeout=30) as client:
        for cookie in cookies:
            sender = conversation_of(front.secret_key, cookie)
            tracker = client.get(
                f"{second_rasa}/conversations/{sender}/tracker",
                params={"token": front.rasa_token},
            ).json()
            turns = [e["event"] for e in tracker["events"] if e["event"] in ("user", "bot")]
            said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
            assert said == MESSAGES, sender
            assert turns[0] == "user" and turns[-1] == "bot", sender
            answered = [turns[i + 1] == "bot" for i, t in enumerate(turns) if t == "user"]
            assert all(answered), (sender, turns)


def test_nginx_refuses_an_oversized_chat_message_before_the_web_service(front) -> None:
    proxy = f"http://127.0.0.1:{front.proxy_port}"
    body = b'{"message": "' + b"a" * 40_000 + b'"}'
    response = httpx.post(f"{proxy}/api/chat", content=body, timeout=30)
    assert response.status_code == 413
    assert "nginx" in response.text
