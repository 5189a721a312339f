"""Bad input through the real HTTP endpoints: every one gets a clear answer and nothing breaks."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest
from sqlalchemy import select

from bot.tickets.models import Ticket
from tests.e2e.conftest import http_json

ODD_MESSAGES = [
    "",
    "   ",
    "字" * 100_000,
    "\x00\x01\x02控制字符\x7f",
    "😀🙏🔥👍",
    "我的APP登录不了 help me please 谢谢",
    "<script>alert('x')</script><b>投诉</b>",
    "'; DROP TABLE tickets; --",
    "../../etc/passwd",
    "舊城區的路燈壞了很久",
]


@pytest.mark.parametrize("message", ODD_MESSAGES, ids=range(len(ODD_MESSAGES)))
def test_odd_messages_get_an_answer(stack, message):
    replies = stack.say(f"bad-{uuid.uuid4().hex[:10]}", message)
    assert replies and all(r.get("text") or r.get("buttons") for r in replies)


def test_malformed_and_oversized_json_are_refused_and_the_server_stays_up(stack):
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    status, _ = http_json("POST", url, b"{not json")
    assert 400 <= status < 500
    status, _ = http_json(
        "POST", url, json.dumps({"sender": "x", "message": "y" * 2_000_000}).encode()
    )
    assert status == 413
    assert stack.say(f"ok-{uuid.uuid4().hex[:8]}", "你好")


def test_html_is_never_echoed_as_markup(stack):
    replies = stack.say(f"html-{uuid.uuid4().hex[:8]}", "<img src=x onerror=alert(1)>政策")
    assert all("<img" not in (r.get("text") or "") for r in replies)


def test_web_service_refuses_bad_requests_clearly(stack):
    status, body = http_json("GET", f"{stack.web_url}/api/tickets")
    assert status == 401 and "error" in body
    status, body = http_json(
        "GET", f"{stack.web_url}/api/tickets", headers={"Authorization": "Bearer forged"}
    )
    assert status == 401
    status, body = http_json("POST", f"{stack.web_url}/telegram/webhook", b"{}")
    assert status in (401, 404, 503)
    with urllib.request.urlopen(f"{stack.web_url}/healthz", timeout=10) as response:
        assert response.status == 200


PATH_TRICKS = [
    "/policies/..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2F..%2F..%2Fbot%2Fconfig.py",
    "/consultations/1%20OR%201=1",
]


@pytest.mark.parametrize("path", PATH_TRICKS, ids=range(len(PATH_TRICKS)))
def test_path_tricks_in_urls_reach_no_file(stack, path):
    status, body = http_json("GET", f"{stack.web_url}{path}")
    assert status in (400, 403, 404), (path, status)
    assert "root:" not in str(body) and "SECRET_KEY" not in str(body)


def _stored_tickets(stack) -> list[tuple]:
    with stack.db.session() as session:
        rows = session.execute(select(Ticket).order_by(Ticket.number)).scalars().all()
        return [
            (t.number, t.status, t.description, t.department_id, t.citizen_phone, t.due_at, t.reply)
            for t in rows
        ]


def test_bad_input_leaves_every_stored_ticket_as_it_was(stack):
    sender = f"keep-{uuid.uuid4().hex[:8]}"
    stack.say(sender, "我要投诉定海区解放路的路灯坏了一个多月，晚上黑漆漆的")
    stack.say(sender, "13700001234")
    assert "工单号" in stack.texts(sender, "/affirm")
    before = _stored_tickets(stack)

    attacker = f"bad-{uuid.uuid4().hex[:8]}"
    for message in [*ODD_MESSAGES, "'; UPDATE tickets SET status='archived'; --", "/affirm"]:
        stack.say(attacker, message)
    number = before[-1][0]
    for method, path, headers in (
        ("POST", f"/api/tickets/{number}/close", {}),
        ("POST", f"/api/tickets/{number}/sign", {"Authorization": "Bearer forged"}),
        ("GET", "/api/tickets?status=signed'%20OR%201=1--", {"Authorization": "Bearer x"}),
    ):
        status, _ = http_json(method, f"{stack.web_url}{path}", {}, headers=headers)
        assert status in (400, 401, 403, 404), (path, status)

    assert _stored_tickets(stack) == before
