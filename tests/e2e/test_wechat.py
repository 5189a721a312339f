"""WeChat Official Account end to end: the real Rasa and action server, our web service's `/wechat`,
and a stand-in of WeChat (signing and encrypting deliveries, answering the account API)."""

from __future__ import annotations

import dataclasses
import os
import random
import string
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from bot.accounts import Principal
from bot.channels import wechat
from bot.config import PROJECT_ROOT, Settings
from bot.localstack import free_port
from bot.runner import Service, Supervisor
from bot.tickets import service as tickets
from bot.tickets.models import Ticket
from tests.e2e.conftest import http_json
from tests.wechat_standin import (
    AES_KEY,
    APP_ID,
    APP_SECRET,
    TOKEN,
    AccountApiStandIn,
    Platform,
)


def follower() -> str:
    return "o" + "".join(random.choices(string.ascii_letters + string.digits, k=27))


@pytest.fixture(scope="module")
def account_api() -> AccountApiStandIn:
    standin = AccountApiStandIn().start()
    yield standin
    standin.stop()


def wechat_settings(stack, account_api: AccountApiStandIn, reply_seconds: float) -> Settings:
    web_port = free_port()
    return dataclasses.replace(
        stack.settings,
        web_port=web_port,
        public_base_url=f"http://127.0.0.1:{web_port}",
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        wechat_app_secret=APP_SECRET,
        wechat_aes_key=AES_KEY,
        wechat_api_url=account_api.base_url,
        wechat_reply_seconds=reply_seconds,
    )


def start_web(settings: Settings, name: str) -> Supervisor:
    url = f"http://127.0.0.1:{settings.web_port}"
    service = Service(
        name,
        [sys.executable, "-m", "bot", "web"],
        f"{url}/healthz",
        {**settings.to_env(), "PYTHONUNBUFFERED": "1"},
    )
    supervisor = Supervisor([service], settings.var_dir / "logs")
    supervisor.start(timeout=60)
    return supervisor


@pytest.fixture(scope="module")
def fast(stack, account_api) -> tuple[Settings, str]:
    """The web service with the WeChat channel on, answering within WeChat's 5 seconds."""
    settings = wechat_settings(stack, account_api, reply_seconds=4.0)
    supervisor = start_web(settings, "web-wechat")
    yield settings, f"http://127.0.0.1:{settings.web_port}/wechat"
    supervisor.stop()


def user_events(stack, openid: str, count: int = 0, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        events = [
            e for e in stack.tracker(f"wechat:{openid}")["events"] if e["event"] == "user"
        ]
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


def test_handshake_answers_echostr_only_when_signed(fast):
    _, url = fast
    platform = Platform(url)
    assert platform.handshake(platform.query(echostr="8423591")) == (200, "8423591")
    forged = {**platform.query(echostr="1"), "signature": "0" * 40}
    assert platform.handshake(forged)[0] == 403
    stale = platform.query(timestamp=int(time.time()) - 3600, echostr="1")
    assert platform.handshake(stale)[0] == 403, "an old signed request must not be replayable"
    assert Platform(url, token="wrong-token").post(Platform(url).text(follower(), "你好"))[0] == 403


def test_a_text_gets_a_passive_reply_and_a_repeat_has_one_effect(stack, fast):
    _, url = fast
    platform, openid = Platform(url), follower()
    greeting = platform.text(openid, "你好")
    status, reply = platform.post(greeting)
    assert status == 200 and "政策" in reply
    assert "回复数字" in reply and "1. 政策咨询" in reply
    assert platform.post(greeting) == (200, ""), "WeChat's retry of the same MsgId"
    assert len(user_events(stack, openid, count=1)) == 1
    [said] = user_events(stack, openid)
    assert said["input_channel"] == "wechat"

    status, reply = platform.post(platform.text(openid, "1"))
    assert status == 200
    events = user_events(stack, openid, count=2)
    assert events[-1]["parse_data"]["intent"]["name"] == "ask_policy", "a number presses a button"


def test_safe_mode_decrypts_and_encrypts(stack, fast):
    _, url = fast
    platform, openid = Platform(url, encrypted=True), follower()
    status, reply = platform.post(platform.text(openid, "你好"))
    assert status == 200 and "政策" in reply
    assert user_events(stack, openid, count=1)[0]["text"] == "你好"


def test_subscribe_menu_click_and_other_message_types(stack, fast):
    _, url = fast
    platform, openid = Platform(url), follower()
    status, welcome = platform.post(platform.event(openid, "subscribe"))
    assert status == 200 and "政策咨询" in welcome and "办理进度" in welcome
    platform.post(platform.event(openid, "CLICK", "CHECK_STATUS"))
    assert user_events(stack, openid, count=2)[-1]["parse_data"]["intent"]["name"] == "check_status"
    status, answer = platform.post(platform.image(openid))
    assert status == 200 and answer == wechat.UNSUPPORTED
    assert len(user_events(stack, openid)) == 2, "an image never reaches the assistant"


def test_a_complaint_by_wechat_and_the_closing_notice(stack, fast, account_api):
    settings, url = fast
    platform, openid = Platform(url), follower()
    first = platform.post(platform.text(openid, "普陀沈家门渔港路那个工地昨天半夜还在打桩，吵得根本睡不着"))[1]
    assert "手机号" in first
    summary = platform.post(platform.text(openid, "13857012345"))[1]
    assert "请确认" in summary and "1. " in summary
    done = platform.post(platform.text(openid, "1"))[1]
    assert "已受理" in done and "工单号：ZS" in done
    with stack.db.session() as session:
        [ticket] = session.execute(
            select(Ticket).where(Ticket.sender_id == f"wechat:{openid}")
        ).scalars()
        assert ticket.number in done and ticket.channel == "wechat"
        clerk = Principal(999, "clerk", "department", ticket.department_id)
        tickets.sign(session, ticket.number, clerk)
        tickets.reply_and_close(session, ticket.number, clerk, reply="工地已停止夜间施工。")
        number = ticket.number

    delivered = subprocess.run(
        [sys.executable, "-m", "bot", "wechat", "deliver"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert delivered.returncode == 0, delivered.stderr[-2000:]
    notices = [
        call
        for call in account_api.calls_to("message/custom/send")
        if call["touser"] == openid and number in call["text"]["content"]
    ]
    assert len(notices) == 1 and "已办结" in notices[0]["text"]["content"]
    assert "工地已停止夜间施工" in notices[0]["text"]["content"]


def test_a_slow_turn_is_acknowledged_then_sent_as_a_customer_service_message(
    stack, account_api
):
    settings = wechat_settings(stack, account_api, reply_seconds=0.001)
    supervisor = start_web(settings, "web-wechat-slow")
    try:
        platform, openid = Platform(f"http://127.0.0.1:{settings.web_port}/wechat"), follower()
        status, reply = platform.post(platform.text(openid, "你好"))
        assert (status, reply) == (200, wechat.ACKNOWLEDGED)
        deadline = time.monotonic() + 30
        while not [c for c in account_api.calls_to("message/custom/send") if c["touser"] == openid]:
            assert time.monotonic() < deadline, "the reply never followed"
            time.sleep(0.1)
        [sent] = [c for c in account_api.calls_to("message/custom/send") if c["touser"] == openid]
        assert "政策" in sent["text"]["content"]
    finally:
        supervisor.stop()


def test_set_menu_creates_the_accounts_menu(fast, account_api):
    settings, _ = fast
    done = subprocess.run(
        [sys.executable, "-m", "bot", "wechat", "set-menu"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **settings.to_env()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [menu] = account_api.calls_to("menu/create")[-1:]
    names = [b["name"] for b in menu["button"]]
    assert names == ["政策咨询", "我要反映", "办事服务"]
    assert [b["name"] for b in menu["button"][2]["sub_button"]] == ["征求意见", "办理进度", "人工服务"]


def test_without_a_token_the_endpoint_is_not_there(stack):
    status, body = http_json("POST", f"{stack.web_url}/wechat", b"<xml></xml>")
    assert status == 404 and "WECHAT_TOKEN" in body["error"]
