"""The portal chat's door in our web service, through the real stack on both profiles: the server
signs who a citizen is, caps what reaches Rasa, limits the rate and pushes what happens later."""

from __future__ import annotations

import json
import time
from typing import Iterator

import httpx
import pytest

from bot.accounts import Principal
from bot.handoff import HandoffMessage, conversations
from bot.tickets import service
from bot.tickets.routing import RoutingResult
from bot.web import identity
from tests.e2e.conftest import http_json

pytestmark = pytest.mark.e2e

OPERATOR = Principal(1, "door-op", "operator", None)
PUTUO = "putuo.city_management"


@pytest.fixture
def citizen(stack) -> Iterator[httpx.Client]:
    """A browser: a cookie jar that has opened the chat."""
    with httpx.Client(base_url=stack.web_url, timeout=30) as client:
        assert client.get("/api/chat").json() == {"new": True, "messages": [], "handoff": "none"}
        yield client


def sender_of(stack, client: httpx.Client) -> str:
    sender = identity.conversation_of(stack.settings.secret_key, client.cookies[identity.COOKIE])
    assert sender is not None
    return sender


def chat(client: httpx.Client, body, **headers) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return client.post(
        "/api/chat", content=content, headers={"Content-Type": "application/json", **headers}
    )


def user_turns(stack, sender: str) -> list[str]:
    return [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def stream(client: httpx.Client, seconds: float, until) -> list[tuple[str, dict]]:
    """Events of `/api/chat/events` (reconnecting like a browser) until `until(events)` holds."""
    events: list[tuple[str, dict]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until(events):
        wait = httpx.Timeout(30, read=max(0.5, deadline - time.monotonic()))
        try:
            with client.stream(
                "GET", "/api/chat/events", params={"status": "none"}, timeout=wait
            ) as response:
                assert response.status_code == 200
                name = ""
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        name = line[len("event: "):]
                    elif line.startswith("data: "):
                        events.append((name, json.loads(line[len("data: "):])))
                        if until(events):
                            break
        except httpx.ReadTimeout:
            break
    return events


def test_the_server_chooses_the_conversation_and_refuses_client_choices(stack, citizen):
    sender = sender_of(stack, citizen)
    assert sender.startswith("portal:")
    answered = chat(citizen, {"message": "你好"})
    assert answered.status_code == 200 and answered.json()["messages"]
    assert user_turns(stack, sender) == ["你好"]

    forged = chat(citizen, {"message": "查询进度", "sender": "telegram:5550001"})
    assert forged.status_code == 400 and "会话由服务器指定" in forged.json()["error"]
    assert not user_turns(stack, "telegram:5550001")
    with httpx.Client(base_url=stack.web_url) as stranger:
        assert chat(stranger, {"sender": None, "message": "hi"}).status_code == 401
        assert chat(stranger, {"message": "hi"}).status_code == 401
        assert stranger.get("/api/chat/events").status_code == 401
    for garbage in (b"\xff\xfe", b"[1, 2]", b"null", b"[" * 5000 + b"]" * 5000, b'{"message": 5}'):
        refused = chat(citizen, garbage)
        assert refused.status_code == 400, (garbage[:20], refused.text)
    assert user_turns(stack, sender) == ["你好"]


def test_another_client_cannot_join_read_or_post_into_a_conversation(stack, citizen):
    sender = sender_of(stack, citizen)
    assert chat(citizen, {"message": "转人工"}).status_code == 200
    assert chat(citizen, {"message": "我家门口路灯坏了"}).json()["handoff"] == "waiting"

    with httpx.Client(base_url=stack.web_url) as other:
        assert other.get("/api/chat").json()["new"] is True
        assert sender_of(stack, other) != sender
    token, issued, signature = citizen.cookies[identity.COOKIE].split(".")
    with httpx.Client(base_url=stack.web_url) as forger:
        for forged in (f"{token}.{issued}.{'f' * 64}", f"{'0' * 32}.{issued}.{signature}", sender):
            cookie = {"Cookie": f"{identity.COOKIE}={forged}"}
            assert chat(forger, {"message": "我是他"}, **cookie).status_code == 401
            assert forger.get("/api/chat/events", headers=cookie).status_code == 401
        assert forger.get(f"/api/handoff/{sender}/messages").status_code == 404
    with stack.db.session() as session:
        lines = session.query(HandoffMessage.text).filter_by(sender_id=sender).all()
    assert [line.text for line in lines] == ["我家门口路灯坏了"]


def test_a_message_over_2000_characters_is_refused_in_chinese_before_rasa(stack, citizen):
    sender = sender_of(stack, citizen)
    assert chat(citizen, {"message": "你好"}).status_code == 200
    before = stack.tracker(sender)["events"]

    refused = chat(citizen, {"message": "路" * 2001})
    assert refused.status_code == 413
    assert refused.json()["error"] == "消息过长：最多2000字，您输入了2001字，请分几次发送"
    started = time.monotonic()
    huge = chat(citizen, b'{"message": "' + b"a" * 1_000_000 + b'"}')
    assert huge.status_code == 413 and huge.json()["error"] == "提交的内容过大"
    assert time.monotonic() - started < 5
    assert stack.tracker(sender)["events"] == before
    assert chat(citizen, {"message": "路" * 2000}).status_code == 200


def test_the_assistant_reads_typed_markup_as_plain_text_and_refuses_markup_alone(stack, citizen):
    sender = sender_of(stack, citizen)
    typed = '<img src="x" onerror="alert(1)"><b>政策解读</b>由谁负责 ﻿'
    assert chat(citizen, {"message": typed}).status_code == 200
    assert user_turns(stack, sender)[-1] == "政策解读 由谁负责"
    before = stack.tracker(sender)["events"]
    refused = chat(citizen, {"message": "<b></b><br/>"})
    assert refused.status_code == 400
    assert refused.json()["error"] == "消息里没有可以识别的文字，请用文字描述您的问题"
    assert stack.tracker(sender)["events"] == before


def test_a_conversation_over_its_rate_gets_429_with_retry_after(stack, citizen):
    limit = int(stack.settings.rate_limit_chat_sender.split("/")[0])
    for _ in range(limit):
        assert chat(citizen, {"message": "谢谢"}).status_code == 200
    refused = chat(citizen, {"message": "谢谢"})
    assert refused.status_code == 429
    assert refused.json()["error"].startswith("请求过于频繁，请")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_operator_and_department_replies_are_pushed_into_the_open_chat(stack, citizen):
    sender = sender_of(stack, citizen)
    assert "已为您转接人工客服" in chat(citizen, {"message": "转人工"}).text
    with stack.db.session() as session:
        handoff = conversations.open_handoff(session, sender)
        conversations.claim(session, handoff.id, OPERATOR)
        conversations.operator_says(session, handoff.id, OPERATOR, "您好，我是话务员")
    events = stream(citizen, 20, lambda got: any(name == "operator" for name, _ in got))
    assert ("handoff", {"status": "active"}) in events
    assert [data["text"] for name, data in events if name == "operator"] == ["您好，我是话务员"]
    with stack.db.session() as session:
        conversations.close(session, handoff.id, OPERATOR)
        routing = RoutingResult(
            text="路灯坏了", type="投诉", category="city_management",
            category_name="综合行政执法", department_id=PUTUO,
        )
        ticket = service.create_ticket(
            session, routing, description="路灯坏了", phone="13800002222",
            channel=identity.PORTAL, sender_id=sender,
        )
        department = Principal(2, "putuo", "department", PUTUO)
        service.sign(session, ticket.number, department)
        service.reply_and_close(session, ticket.number, department, reply="路灯已于今日修复。")
        number = ticket.number
    notices = stream(citizen, 45, lambda got: any(name == "notice" for name, _ in got))
    texts = [data["text"] for name, data in notices if name == "notice"]
    assert len(texts) == 1 and number in texts[0] and "路灯已于今日修复" in texts[0]
    assert not [n for n, _ in stream(citizen, 3, lambda got: False) if n == "notice"], "sent once"
    replayed = citizen.get("/api/chat").json()["messages"]
    assert [m["text"] for m in replayed if m["author"] == "notice"] == texts


def test_rasa_rest_refuses_a_missing_or_odd_sender_instead_of_a_shared_conversation(stack):
    shared = len(stack.tracker("default")["events"])
    for sender in (None, 5, "", "a b", "x" * 129):
        status, _ = http_json(
            "POST", f"{stack.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": "你好"}
        )
        assert status == 400, sender
    assert len(stack.tracker("default")["events"]) == shared
