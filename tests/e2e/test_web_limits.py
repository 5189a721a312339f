"""Rate limits per address, through two real web-service processes that share Redis: what one
instance counted, the other enforces. Small limits, so the test stays short; Rasa is not running,
so an allowed chat message gets 502 and a refused one 429 before any relay is tried. Windows
are ten minutes long, so a slow machine cannot see the first hits leave them mid-test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from bot.config import PROJECT_ROOT
from bot.localstack import REDIS_TEST_URL, free_port

pytestmark = pytest.mark.e2e

LIMITS = {
    "RATE_LIMIT_IP": "80/600",
    "RATE_LIMIT_CHAT_IP": "5/600",
    "RATE_LIMIT_CHAT_SENDER": "100/60",
    "RATE_LIMIT_LOGIN_IP": "6/900",
    "RATE_LIMIT_LOGIN_USER": "3/900",
}


@pytest.fixture(scope="module")
def web_pair(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """Two web services on one database and one Redis, as two instances behind a balancer."""
    var = tmp_path_factory.mktemp("web-limits")
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "ZS_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'web.db'}",
        "REDIS_URL": REDIS_TEST_URL,
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        **LIMITS,
    }
    python = [sys.executable, "-m", "bot"]
    subprocess.run([*python, "db", "upgrade"], env=env, check=True, capture_output=True)
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [*python, "web"],
            env={**env, "WEB_PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=open(Path(var) / f"web-{port}.log", "wb"),
        )
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            _wait_until_up(url)
        yield urls[0], urls[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"web service at {url} did not start")


def wrong_login(url: str, username: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=60) as browser:
        page = browser.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return browser.post(
            "/login", data={"username": username, "password": "wrong", "csrf_token": token}
        )


def test_login_is_limited_per_address_across_usernames_on_every_instance(web_pair):
    first, second = web_pair
    statuses = [wrong_login(web_pair[i % 2], f"guess{i}").status_code for i in range(6)]
    assert statuses == [401] * 6
    for url in (first, second):
        refused = wrong_login(url, "someone-new")
        assert refused.status_code == 429
        assert "登录失败次数过多" in refused.text and int(refused.headers["Retry-After"]) > 0


def test_chat_is_limited_per_address_across_conversations(web_pair):
    statuses = []
    for i in range(6):
        with httpx.Client(base_url=web_pair[i % 2], timeout=30) as browser:
            browser.get("/api/chat")
            statuses.append(browser.post("/api/chat", json={"message": "你好"}).status_code)
    assert statuses == [502] * 5 + [429]


def test_every_endpoint_has_a_default_limit_per_address(web_pair):
    first, second = web_pair
    statuses = [httpx.get(f"{web_pair[i % 2]}/healthz", timeout=30).status_code for i in range(81)]
    refused_at = statuses.index(429)
    assert set(statuses[:refused_at]) == {200} and statuses[-2:] == [429, 429]
    refused = httpx.get(f"{second}/policies", headers={"Accept": "application/json"}, timeout=30)
    assert refused.status_code == 429 and refused.json()["error"].startswith("请求过于频繁")
    assert int(refused.headers["Retry-After"]) >= 1
