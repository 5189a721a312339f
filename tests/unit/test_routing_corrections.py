"""Operators' corrections of the router: stored with both routes, masked, exported as examples."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.tickets.catalogue import Catalogue
from bot.tickets.corrections import RoutingCorrection, record, training_examples
from bot.tickets.routing import Router
from bot.web.app import create_app
from bot.web.common import template_environment
from bot.web.routing_review import _problem

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
PROJECT = KNOWLEDGE.parent


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.load(KNOWLEDGE)


def test_a_correction_keeps_both_routes_and_masks_the_phone(db, router: Router) -> None:
    routed = router.route("小区门口的路灯坏了一个多月，我电话13857012345，在沈家门")
    with db.session() as session:
        row = record(
            session, routed, {"category": "power_supply"}, "operator:7", ticket_number="ZS1"
        )
        assert row is not None
    with db.session() as session:
        stored = session.execute(select(RoutingCorrection)).scalar_one()
        assert stored.routed_category == routed.category != "power_supply"
        assert stored.category == "power_supply"
        assert stored.type == routed.type and stored.jurisdiction == "putuo"
        assert "13857012345" not in stored.text
        assert stored.operator == "operator:7" and stored.ticket_number == "ZS1"


def test_agreeing_with_the_router_stores_nothing(db, router: Router) -> None:
    routed = router.route("沈家门夜排档那边晚上摆摊的占满了人行道")
    with db.session() as session:
        assert record(session, routed, {"category": routed.category}, "operator:7") is None
        assert session.execute(select(RoutingCorrection)).first() is None


def test_corrections_export_as_training_examples(db, router: Router, settings) -> None:
    with db.session() as session:
        record(session, router.route("楼上天天拖椅子吵得睡不着，临城"), {"type": "举报"}, "op")
        record(session, router.route("公积金怎么提取"), {"category": "housing_fund"}, "op")
    with db.session() as session:
        examples = training_examples(session)
    assert [e["type"] for e in examples] == ["举报"]
    assert examples[0]["source"] == "operator" and examples[0]["jurisdiction"] == "xincheng"

    out = settings.var_dir / "corrections.yml"
    env = {**os.environ, "DATABASE_URL": settings.database_url, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "routing-corrections", "export", "--out", str(out)],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["examples"] == examples


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"text": "路灯坏了", "category": "power_supply"}, ""),
        ({"text": "", "category": "power_supply"}, "缺少字段 text"),
        ({"text": "路灯坏了", "type": "表扬"}, "工单类型必须是"),
        ({"text": "路灯坏了", "category": "weather"}, "未知的分类"),
        ({"text": "路灯坏了", "department_id": "moon.office"}, "未知的承办单位"),
        ({"text": "路灯坏了"}, "请至少更正"),
    ],
)
def test_a_correction_request_is_checked(data: dict, problem: str) -> None:
    catalogue = Catalogue.load(KNOWLEDGE / "departments.yml")
    found = _problem(data, data["text"], catalogue)
    assert found.startswith(problem) if problem else found == ""


def test_the_explain_block_shows_the_deciding_words(router: Router) -> None:
    template = template_environment().get_template("operator/_routing_explain.html")
    html = template.render(routing=router.route("青龙村的路灯坏了一个多月了").to_dict())
    assert "路灯" in html and "定海区、普陀区都有" in html
    html = template.render(routing=router.route("救命，码头边有人落水了").to_dict())
    assert "落水" in html and "110" in html


def test_the_app_serves_the_routing_review(settings) -> None:
    app = create_app(settings, name=f"test_{uuid.uuid4().hex[:8]}")
    paths = {route.path.strip("/") for route in app.router.routes}
    assert {"operator/routing/explain", "operator/routing/corrections"} <= paths
