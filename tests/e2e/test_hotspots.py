"""政务舆情 through the real services: items reach the live monitor (a process of its own), a burst
becomes an alerted topic within seconds, nothing is lost while the monitor is down, a citizen's chat line is seen, bad API input is refused,
and a published response appears on the public page."""

from __future__ import annotations

import random
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import publishing
from bot.accounts import Principal, create_user
from bot.hotspots import service
from bot.hotspots.models import HotspotItem, HotspotTopic
from tests.e2e.conftest import http_json

ALL_CHECKED = [item.id for item in publishing.checklist_items()]
DRAFTER = Principal(1, "zhang", "staff", None)
REVIEWER = Principal(2, "li", "reviewer", None)


@pytest.fixture(scope="module")
def token(stack) -> str:
    with stack.db.session() as session:
        _, issued = create_user(
            session, username=f"yq-{uuid.uuid4().hex[:8]}", password="password-123", role="staff"
        )
    return issued


def post_items(stack, token: str, items) -> tuple[int, dict]:
    return http_json(
        "POST",
        f"{stack.web_url}/api/hotspots/items",
        {"items": items},
        headers={"Authorization": f"Bearer {token}"},
    )


def wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_burst_from_outside_becomes_an_alerted_topic_and_its_response_is_published(stack, token):
    road = "".join(random.choice("东西南北海山港湾桥园林") for _ in range(3)) + "路"
    now = datetime.now(timezone(timedelta(hours=8)))
    burst = [
        {"source": "weibo", "id": f"{road}-{n}", "text": f"{road}{words}", "time": (now + timedelta(minutes=n)).isoformat()}
        for n, words in enumerate(["停水了", "一滴水都没有", "水管爆了路上全是水", "什么时候恢复供水", "停水三个小时了", "自来水停了老人做不了饭"])
    ]
    status, body = post_items(stack, token, burst)
    assert status == 200 and body == {"stored": 6, "duplicates": 0}
    assert post_items(stack, token, burst[:2])[1] == {"stored": 0, "duplicates": 2}
    started = time.monotonic()

    def alerted():
        with stack.db.session() as session:
            return session.execute(
                select(HotspotTopic).where(HotspotTopic.title.contains(road), HotspotTopic.alert_at.is_not(None))
            ).scalar_one_or_none()

    topic = wait_for(alerted)
    assert topic is not None, "the live monitor never alerted"
    assert time.monotonic() - started < 10
    assert topic.messages == 6 and topic.respond_by == topic.alert_at + timedelta(hours=24)

    with stack.db.session() as session:
        service.record_judgement(session, topic.id, DRAFTER, "停水影响周边居民，须说明抢修进度")
        response = service.draft_response(
            session, topic.id, DRAFTER, "authoritative_information", f"{road}供水管道已修复，已恢复供水。"
        )
        service.review_response(session, response.id, REVIEWER, approve=True, checklist=ALL_CHECKED)
        service.publish_response(session, response.id, REVIEWER)
    status, page = http_json("GET", f"{stack.web_url}/hotspots")
    assert status == 200 and f"{road}供水管道已修复" in page
    status, _ = http_json("GET", f"{stack.web_url}/staff/hotspots")
    assert status in (302, 401) or "登录" in str(_)


def burst_on_a_new_road(words: list[str]) -> tuple[str, list[dict]]:
    road = "".join(random.choice("东西南北海山港湾桥园林") for _ in range(4)) + "路"
    now = datetime.now(timezone(timedelta(hours=8)))
    return road, [
        {"source": "weibo", "id": f"{road}-{n}", "text": f"{road}{text}", "time": (now + timedelta(minutes=n)).isoformat()}
        for n, text in enumerate(words)
    ]


def test_while_the_monitor_is_down_the_web_takes_items_and_the_monitor_catches_up(stack, token):
    road, burst = burst_on_a_new_road(
        ["闻到很重的煤气味", "煤气味越来越浓了", "楼道里全是煤气味", "是不是燃气管道泄漏了", "煤气味熏得头晕", "整条路都是燃气味"]
    )

    def alerted():
        """The topic all six items were stored with, once it is alerted (on a shared stack
        earlier tests' items may be in it too), or None."""
        ids = [item["id"] for item in burst]
        with stack.db.session() as session:
            topics = set(
                session.execute(
                    select(HotspotItem.topic_id).where(HotspotItem.external_id.in_(ids))
                ).scalars()
            )
            if len(topics) != 1 or None in topics:
                return None
            return session.execute(
                select(HotspotTopic).where(HotspotTopic.id == topics.pop(), HotspotTopic.alert_at.is_not(None))
            ).scalar_one_or_none()

    stack.supervisor.kill("monitor")
    try:
        status, body = post_items(stack, token, burst)
        assert status == 200 and body["stored"] == 6, "the web service takes items without the monitor"
        time.sleep(2)
        assert alerted() is None, "nothing in the web service forms topics"
    finally:
        stack.supervisor.restart("monitor")
    topic = wait_for(alerted, timeout=30)
    if topic is None:
        with stack.db.session() as session:
            stored = session.execute(
                select(HotspotItem.external_id, HotspotItem.topic_id).where(
                    HotspotItem.external_id.in_([item["id"] for item in burst])
                )
            ).all()
        log = (stack.settings.var_dir / "logs" / "monitor.log").read_text()[-3000:]
        pytest.fail(f"the restarted monitor did not catch up: items {stored}; its log:\n{log}")
    assert topic.messages >= 6


def test_bad_import_input_is_refused_and_nothing_is_stored(stack, token):
    good = {"source": "news", "id": "x1", "text": "临港路停水", "time": "2026-12-07T09:00:00+08:00"}
    cases = [
        {"items": []},
        {"items": "not a list"},
        {"items": [{**good, "time": "2026-12-07 09:00"}]},
        {"items": [good, {**good, "id": "x2", "text": "长" * 2001}]},
        {"items": [{**good, "engagement": -1}]},
    ]
    for body in cases:
        status, answer = http_json(
            "POST", f"{stack.web_url}/api/hotspots/items", body, headers={"Authorization": f"Bearer {token}"}
        )
        assert status == 400 and "error" in answer
    assert http_json("POST", f"{stack.web_url}/api/hotspots/items", {"items": [good]})[0] == 401
    with stack.db.session() as session:
        assert session.execute(select(HotspotItem).where(HotspotItem.external_id == "x1")).first() is None


def test_a_citizens_chat_line_reaches_the_monitor(stack):
    if stack.name != "sqlite":
        pytest.skip("on PostgreSQL chat events travel through RabbitMQ (RABBITMQ_URL)")
    sender = f"citizen-{uuid.uuid4().hex[:10]}"
    stack.say(sender, "临港路那边水管爆了，路上全是水")

    def seen():
        with stack.db.session() as session:
            return session.execute(select(HotspotItem).where(HotspotItem.sender_id == sender)).scalar_one_or_none()

    item = wait_for(seen)
    assert item is not None and item.source == "chat" and "水管爆了" in item.text
