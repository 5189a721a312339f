"""The consoles' pure parts: the operator's ticket form, time left, policy pages, templates, app."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from bot.config import PROJECT_ROOT
from bot.policy import KnowledgeBase
from bot.policy.model import INTERPRETATION_FIELDS
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import Ticket
from bot.tickets.routing import RoutingResult
from bot.tickets.service import TicketInvalid
from bot.tickets.view import time_left
from bot.web.api_assist import _feedback_problem
from bot.web.app import create_app
from bot.web.common import template_environment
from bot.web.operator import TicketForm
from bot.web.portal import interpretation_sections

KNOWLEDGE = PROJECT_ROOT / "knowledge"
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)  # a Wednesday, 10:00 in Zhoushan


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(KNOWLEDGE / "departments.yml")


def form(**fields):
    return {
        "description": "沈家门渔港路路灯坏了",
        "type": "投诉",
        "department_id": "putuo.city_management",
        "phone": "13800001111",
        **fields,
    }


def test_the_operators_choices_replace_the_routers_guess(catalogue):
    parsed = TicketForm.parse(
        form(category="city_management", co_department_ids=["putuo.city_management", "putuo.transport"]),
        catalogue,
    )
    guess = RoutingResult(text="路灯", type="求助", location="沈家门街道", department_id="city.x")
    routing = parsed.applied_to(guess, catalogue)
    assert routing.type == "投诉" and routing.department_id == "putuo.city_management"
    assert routing.department == "普陀区综合行政执法局"
    assert routing.co_department_ids == ["putuo.transport"], "the lead is not its own co-handler"
    assert routing.category_name == "综合行政执法" and routing.location == "沈家门街道"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"type": "闲聊"}, "工单类型"),
        ({"department_id": "nowhere.bureau"}, "未知的承办单位"),
        ({"co_department_ids": ["nowhere.bureau"]}, "未知的承办单位"),
        ({"category": "astrology"}, "未知的分类"),
        ({"co_department_ids": "putuo.transport"}, "协办单位"),
    ],
)
def test_a_wrong_ticket_form_is_refused_in_chinese(catalogue, fields, message):
    with pytest.raises(TicketInvalid, match=message):
        TicketForm.parse(form(**fields), catalogue)


def test_an_anonymous_report_needs_no_phone(catalogue):
    parsed = TicketForm.parse(form(type="举报", anonymous=True, phone=""), catalogue)
    assert parsed.anonymous and parsed.phone is None


@pytest.mark.parametrize(
    "status, due, expected",
    [
        ("signed", NOW - timedelta(minutes=1), "overdue"),
        ("dispatched", NOW + timedelta(hours=3), "soon"),
        ("signed", NOW + timedelta(days=1, hours=1), "ok"),
        ("replied", NOW - timedelta(days=3), "done"),
    ],
)
def test_time_left_colours(status, due, expected):
    assert time_left(Ticket(status=status, due_at=due), NOW) == expected


def test_interpretation_follows_the_order_of_the_rules():
    kb = KnowledgeBase.load(KNOWLEDGE)
    sections = interpretation_sections(kb.policies[0])
    names = [name for name, _ in sections]
    assert names == sorted(names, key=INTERPRETATION_FIELDS.index)
    assert sum(len(parts) for _, parts in sections) == len(kb.policies[0].interpretation)


def test_templates_escape_everything():
    environment = template_environment()
    assert environment.from_string("{{ text }}").render(text="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    page = environment.get_template("error.html").render(
        principal=None, csrf_token="", consultations_url="", status_code=404,
        message='<script>alert("x")</script>',
    )
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_the_app_serves_every_area(settings):
    app = create_app(settings, name=f"test_{uuid.uuid4().hex[:8]}")
    paths = {route.path.strip("/") for route in app.router.routes}
    for path in ("", "login", "logout", "policies", "operator", "department", "staff",
                 "api/assist", "api/chat", "api/tickets", "healthz"):
        assert path in paths, path


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({}, ""),
        ({"action": "liked"}, "action 必须是"),
        ({"policy_id": ""}, "缺少字段 policy_id"),
        ({"action": "edited"}, "修改后采用时必须提交修改后的答复"),
        ({"action": "edited", "final_text": "改过的答复"}, ""),
    ],
)
def test_suggestion_feedback_is_checked(changes, problem):
    record = {"question": "要多久？", "policy_id": "p", "suggestion": "五个工作日", "action": "used"}
    found = _feedback_problem({**record, **changes})
    assert found.startswith(problem) and bool(found) == bool(problem)
