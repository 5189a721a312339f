"""Server-side parts of the consoles: duplicate hints, actors in words, the stated time, topics."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.accounts import create_user
from bot.config import PROJECT_ROOT
from bot.tickets import duplicates, service
from bot.tickets.catalogue import Catalogue
from bot.tickets.routing import RoutingResult
from bot.web import actors, topics
from bot.web.department import stated_time

FIXED = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
MOMENTS = pytest.mark.parametrize(
    "now", [FIXED, None], ids=["fixed", "real-date"]
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(PROJECT_ROOT / "knowledge" / "departments.yml")


def file(session, text: str, location: str, now: datetime, category: str = "city_management"):
    routing = RoutingResult(
        text=text, type="投诉", category=category, category_name="综合行政执法",
        department_id="dinghai.city_management", location=location,
    )
    return service.create_ticket(session, routing, description=text, phone="13800001111", now=now)


@MOMENTS
def test_five_calls_about_one_site_point_at_each_other(db, now):
    now = now or datetime.now(timezone.utc)
    with db.session() as session:
        site = [
            file(session, "解放路工地半夜还在打桩，吵得睡不着", "定海区解放路工地", now),
            file(session, "解放路那个工地晚上打桩噪音太大", "解放路工地", now + timedelta(hours=1)),
            file(session, "解放路工地夜里打桩，孩子睡不着；时间：半夜", "定海解放路工地", now),
            file(session, "投诉解放路工地半夜打桩扰民", "解放路工地", now),
            file(session, "解放路的工地打桩到凌晨", "解放路工地", now),
        ]
        elsewhere = file(session, "解放路工地打桩太吵", "新城海天大道", now)
        other_problem = file(session, "解放路工地门口有人占道经营卖水果", "解放路工地", now)
        old = file(session, "解放路工地半夜打桩", "解放路工地", now - timedelta(days=40))
        numbers = {t.number for t in site}
        for ticket in site:
            hinted = {d.number for d in duplicates.similar_tickets(session, ticket)}
            assert hinted == numbers - {ticket.number}
        assert duplicates.similar_tickets(session, elsewhere) == []
        assert other_problem.number not in {
            d.number for d in duplicates.similar_tickets(session, site[0])
        }
        assert old.number not in {d.number for d in duplicates.similar_tickets(session, site[0])}


def test_history_actors_read_as_people_and_roles(db, catalogue):
    with db.session() as session:
        create_user(session, username="op-zhang", password="x" * 12, role="operator",
                    display_name="张三")
        create_user(session, username="putuo-li", password="x" * 12, role="department",
                    department_id="putuo.city_management")
        labels = actors.names(
            session,
            ["citizen:6852c5aa", "system:router", "operator:op-zhang", "department:putuo-li",
             "operator:gone", "system:monitor"],
            catalogue,
        )
    assert labels["citizen:6852c5aa"] == "市民"
    assert labels["system:router"] == "系统自动分派"
    assert labels["operator:op-zhang"] == "操作员 张三"
    assert labels["department:putuo-li"].endswith("承办人员 putuo-li")
    assert labels["department:putuo-li"].startswith("普陀")
    assert labels["operator:gone"] == "操作员 gone"
    assert all(":" not in label for label in labels.values())


@pytest.mark.parametrize("description, expected", [
    ("沈家门工地打桩；地点：沈家门；时间：半夜", "半夜"),
    ("工地半夜打桩；时间：昨天晚上十一点", "昨天晚上十一点"),
    ("工地半夜打桩", ""),
])
def test_the_time_the_citizen_gave_is_read_from_the_ticket(description, expected):
    assert stated_time(description) == expected


def test_topics_and_channels_are_chinese():
    assert topics.channel_label("socketio") == "网站在线咨询"
    assert topics.channel_label("hotline") == "12345 热线电话"
    assert topics.intent_label("ask_policy") == "政策咨询"
    assert "file_complaint" in topics.COMPLAINT_INTENTS
    assert "ask_policy" not in topics.COMPLAINT_INTENTS
