"""Telegram end to end: the real Rasa and action server, our web service (webhook) or the polling
command, and a stand-in of the Bot API that records what the citizen would see."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
import time

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.localstack import free_port
from bot.runner import Service, Supervisor
from tests.e2e.conftest import http_json
from tests.telegram_standin import BotApiStandIn, button_update, message_update

SECRET = "e2e-webhook-secret"


def new_chat() -> int:
    return random.randint(10**8, 10**9)


@pytest.fixture
def bot_api() -> BotApiStandIn:
    standin = BotApiStandIn(redeliver=3).start()
    yield standin
    standin.stop()


@pytest.fixture
def telegram_settings(stack, bot_api: BotApiStandIn) -> Settings:
    """The stack's settings with the Telegram channel on, for a process of our own."""
    web_port = free_port()
    return dataclasses.replace(
        stack.settings,
        web_port=web_port,
        public_base_url=f"http://127.0.0.1:{web_port}",
        telegram_token=bot_api.token,
        telegram_secret=SECRET,
        telegram_api_url=bot_api.base_url,
    )


@pytest.fixture
def web(telegram_settings: Settings) -> str:
    """`python -m bot web` with the Telegram channel, talking to the stack's Rasa."""
    url = f"http://127.0.0.1:{telegram_settings.web_port}"
    service = Service(
        "web-telegram",
        [sys.executable, "-m", "bot", "web"],
        f"{url}/healthz",
        {**telegram_settings.to_env(), "PYTHONUNBUFFERED": "1"},
    )
    supervisor = Supervisor([service], telegram_settings.var_dir / "logs")
    supervisor.start(timeout=60)
    yield url
    supervisor.stop()


def post_update(web: str, update: dict) -> int:
    status, _ = http_json(
        "POST",
        f"{web}/telegram/webhook",
        update,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    return status


def user_events(stack, chat: int, count: int = 0, timeout: float = 15) -> list[dict]:
    """The conversation's user events, once there are at least `count` (the reply can reach the
    Bot API stand-in a moment before another Rasa worker reads the stored tracker)."""
    deadline = time.monotonic() + timeout
    while True:
        events = [e for e in stack.tracker(f"telegram:{chat}")["events"] if e["event"] == "user"]
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


def test_a_greeting_goes_through_the_webhook_to_rasa_and_back(stack, web, bot_api):
    chat = new_chat()
    update_id = random.randint(10**6, 10**7)
    assert post_update(web, message_update(update_id, chat, "你好")) == 200

    [greeting] = bot_api.wait_for("sendMessage")
    assert int(greeting["chat_id"]) == chat
    assert "政策" in greeting["text"] and "投诉" in greeting["text"]
    buttons = [row[0] for row in greeting["reply_markup"]["inline_keyboard"]]
    assert {"政策咨询", "投诉求助", "查询进度"} <= {b["text"] for b in buttons}
    [said] = user_events(stack, chat, count=1)
    assert said["input_channel"] == "telegram"
    assert said["metadata"]["user_id"] == chat

    status_button = next(b["callback_data"] for b in buttons if b["text"] == "查询进度")
    assert post_update(web, button_update(update_id + 1, chat, status_button)) == 200
    bot_api.wait_for("sendMessage", 2)
    assert len(bot_api.wait_for("answerCallbackQuery")) == 1
    assert user_events(stack, chat, count=2)[-1]["parse_data"]["intent"]["name"] == "check_status"

    assert post_update(web, message_update(update_id, chat, "你好")) == 200
    time.sleep(1.0)
    assert len(user_events(stack, chat)) == 2, "a repeated update must not reach Rasa again"


def test_polling_processes_a_queued_update_once(stack, telegram_settings, bot_api):
    chat, update_id = new_chat(), random.randint(10**6, 10**7)
    bot_api.queue_update(message_update(update_id, chat, "你好"))
    poller = subprocess.Popen(
        [sys.executable, "-m", "bot", "telegram", "poll"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **telegram_settings.to_env(), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        [greeting] = bot_api.wait_for("sendMessage", timeout=60)
        assert int(greeting["chat_id"]) == chat and "政策" in greeting["text"]
        deadline = time.monotonic() + 10
        while bot_api.times_served(update_id) < bot_api.redeliver:
            assert time.monotonic() < deadline, "the poller stopped asking for updates"
            time.sleep(0.1)
        time.sleep(1.0)
        assert len(bot_api.calls_to("sendMessage")) == 1, "served 3 times, answered once"
        assert len(user_events(stack, chat, count=1)) == 1
    finally:
        poller.terminate()
        _, errors = poller.communicate(timeout=30)
    assert poller.returncode == 0, errors.decode(errors="replace")[-2000:]


def test_without_token_and_secret_the_webhook_is_not_there(stack):
    status, body = http_json(
        "POST",
        f"{stack.web_url}/telegram/webhook",
        message_update(1, new_chat(), "你好"),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert status == 404 and "TELEGRAM_TOKEN" in body["error"]
