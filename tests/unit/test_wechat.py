"""The WeChat channel's pure parts: menu file, signatures, delivery keys, replies as texts."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest
from wechatpy import parse_message

from bot.channels import wechat
from bot.channels.rasa_client import BotMessage, Button
from bot.config import Settings
from tests.wechat_standin import TOKEN, signature


@pytest.fixture
def settings() -> Settings:
    return dataclasses.replace(Settings.from_env(), wechat_token=TOKEN)


def test_the_shipped_menu_fits_wechats_limits(settings):
    menu = wechat.load_menu(settings)
    assert menu.payload("CHECK_STATUS") == "/check_status"
    assert menu.payload("NOPE") is None
    assert len(menu.as_wechat()["button"]) == 3


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("buttons: []", "1 to 3 top-level"),
        ("buttons:\n" + "  - {name: a, key: a, payload: /a}\n" * 4, "1 to 3 top-level"),
        ("buttons:\n  - {name: a, key: a}", "buttons[1]: missing payload"),
        ("buttons:\n  - {name: 一二三四五六, key: a, payload: /a}", "longer than WeChat's 16 bytes"),
        (
            "buttons:\n  - name: g\n    sub_buttons:\n" + "      - {name: a, key: a, payload: /a}\n" * 6,
            "1 to 5 sub-buttons",
        ),
    ],
)
def test_a_wrong_menu_names_the_place(tmp_path: Path, text, error):
    path = tmp_path / "wechat_menu.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(error)) as raised:
        wechat.Menu.load(path)
    assert str(path) in str(raised.value)


def test_signed_queries_pass_and_forged_or_stale_ones_do_not(settings):
    now = int(time.time())
    good = {"signature": signature(TOKEN, str(now), "42"), "timestamp": str(now), "nonce": "42"}
    wechat.check_query(settings, good, now=now)
    with pytest.raises(wechat.Forged):
        wechat.check_query(settings, {**good, "nonce": "43"}, now=now)
    with pytest.raises(wechat.Forged, match="timestamp"):
        wechat.check_query(settings, good, now=now + wechat.MAX_SKEW_SECONDS + 1)
    with pytest.raises(wechat.Forged):
        wechat.check_query(settings, {}, now=now)


def test_delivery_keys_follow_msgid_or_event_and_time():
    text = parse_message(
        "<xml><ToUserName>gh</ToUserName><FromUserName>oA</FromUserName><CreateTime>1700000000"
        "</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>123</MsgId></xml>"
    )
    event = parse_message(
        "<xml><ToUserName>gh</ToUserName><FromUserName>oA</FromUserName><CreateTime>1700000000"
        "</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"
    )
    assert wechat.delivery_key(text) == "msg:123"
    assert wechat.delivery_key(event) == "event:oA:subscribe:1700000000"


def test_replies_become_numbered_choices_within_wechats_size():
    replies = [
        BotMessage("请确认：", (Button("确认", "/affirm"), Button("取消", "/deny"))),
        BotMessage("还可以：", (Button("查询进度", "/check_status"),)),
    ]
    texts, payloads = wechat.render(replies)
    assert texts == ["请确认：\n回复数字即可选择：\n1. 确认\n2. 取消\n还可以：\n回复数字即可选择：\n3. 查询进度"]
    assert payloads == ["/affirm", "/deny", "/check_status"]
    long = "很长的答复。" * 400
    parts = wechat.split_text(long)
    assert "".join(parts) == long
    assert all(len(part.encode()) <= wechat.MAX_REPLY_BYTES for part in parts)


def test_only_wechat_senders_have_an_openid():
    assert wechat.openid_of("wechat:oABC") == "oABC"
    for sender in ("telegram:1", "wechat:", "oABC"):
        with pytest.raises(ValueError):
            wechat.openid_of(sender)
