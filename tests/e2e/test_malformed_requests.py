"""Every malformed request gets a 4xx, never a 500, and leaves stored data as it was: the rows
the probe found first, then a bounded fuzz over every route of the web service."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.accounts import create_user, principal_of
from bot.handoff import Handoff
from bot.tickets.models import Ticket
from bot.web.app import create_app
from bot.web.sessions import SESSION_COOKIE, csrf_token, start_session
from tests.e2e.fuzz import DEEP, HUGE, Probe, probes, send
from tests.e2e.own_web import own_web_service

DEEP_JSON = b"[" * DEEP + b"]" * DEEP


@pytest.fixture(scope="module")
def scene(stack):
    """A filed ticket, a citizen waiting for a person, and an admin's API token and session."""
    citizen = f"fuzz{uuid.uuid4().hex[:16]}"
    stack.say(citizen, "我要投诉定海区解放路的路灯坏了一个多月，晚上黑漆漆的")
    stack.say(citizen, "13700001234")
    assert "工单号" in stack.texts(citizen, "/affirm")
    stack.say(citizen, "转人工")
    with stack.db.session() as session:
        number = session.execute(
            select(Ticket.number).where(Ticket.sender_id == citizen)
        ).scalar_one()
        user, api_token = create_user(
            session, username=f"fuzz-{uuid.uuid4().hex[:6]}", password="password-123", role="admin"
        )
        session.flush()
        cookie = start_session(session, principal_of(user))
    headers = {
        "Authorization": f"Bearer {api_token}",
        "Cookie": f"{SESSION_COOKIE}={cookie}",
        "X-CSRF-Token": csrf_token(stack.settings.secret_key, "session", cookie),
    }
    return {"number": number, "citizen": citizen, "headers": headers}


def stored(stack) -> list[tuple]:
    with stack.db.session() as session:
        tickets = session.execute(select(Ticket).order_by(Ticket.id)).scalars().all()
        handoffs = session.execute(select(Handoff).order_by(Handoff.id)).scalars().all()
        return [
            *[(t.number, t.status, t.description, t.version, t.reply, t.return_reason) for t in tickets],
            *[(h.id, h.status, h.sender_id) for h in handoffs],
        ]


def issue_rows(scene) -> list[Probe]:
    number, citizen = scene["number"], scene["citizen"]
    return [
        Probe("POST", "/api/chat", DEEP_JSON),
        Probe("POST", f"/api/tickets/{number}/return", DEEP_JSON),
        Probe("POST", f"/api/handoff/{citizen}/messages", DEEP_JSON),
        Probe("GET", f"/consultations/{HUGE}"),
        Probe("GET", f"/consultations/1/summary?version={HUGE}"),
        Probe("GET", f"/consultations/1/summary.json?version={HUGE}"),
        Probe("GET", "/static/"),
        Probe("GET", "/static/js/"),
        Probe("GET", "/static/js/chat.js%00"),
    ]


def test_the_probes_rows_get_a_4xx(stack, scene):
    before = stored(stack)
    for probe in issue_rows(scene):
        status = send(stack.web_url, probe, scene["headers"])
        assert 400 <= status < 500, (probe.method, probe.path[:80], status)
    assert stored(stack) == before


def test_a_bounded_fuzz_over_every_route_gets_no_500(stack, scene):
    if stack.name != "sqlite":
        pytest.skip("the full fuzz runs once, on the SQLite profile")
    app = create_app(stack.settings, name=f"routes-{uuid.uuid4().hex[:8]}")
    routes = [
        (method, "/" + route.raw_path.lstrip("/"))
        for route in app.router.routes
        for method in route.methods
        if method != "HEAD"
    ]
    known = {"number": [scene["number"]], "sender": [scene["citizen"]]}
    before = stored(stack)
    failures = []
    with own_web_service(stack, rate_limit_ip="1000000/60") as web_url:
        for probe in probes(routes, known):
            status = send(web_url, probe, scene["headers"])
            if status >= 500:
                failures.append((probe.method, probe.path[:80], probe.label, probe.content_type, status))
    assert failures == []
    assert stored(stack) == before
