"""One intake for a ticket: routed once, stored with the deadline the citizen was shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from bot import audit
from bot.clock import LOCAL_TZ
from bot.config import PROJECT_ROOT
from bot.tickets import intake
from bot.tickets.routing import Router, RoutingResult
from bot.tickets.service import TicketInvalid

TEXT = "普陀沈家门渔港路那个工地昨天半夜还在打桩，吵得根本睡不着"
PHONE = intake.Contact(phone="13957001234")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.load(PROJECT_ROOT / "knowledge")


class CountingRouter:
    """The real router, counting how often it is asked."""

    def __init__(self, router: Router) -> None:
        self.router, self.calls = router, 0

    def route(self, text: str, now=None) -> RoutingResult:
        self.calls += 1
        return self.router.route(text, now)


def test_the_ticket_keeps_the_deadline_shown_before_the_holiday(db, router):
    shown = intake.preview(router, TEXT, at(2026, 9, 30, 16, 0))
    assert shown.type == "投诉" and shown.due_at == at(2026, 10, 13, 17, 30)
    counting = CountingRouter(router)
    with db.session() as session:
        ticket = intake.intake(
            session, TEXT, PHONE, "rest", router=counting, shown=shown, sender_id="s1",
            now=at(2026, 10, 8, 9, 0),
        )
        assert ticket.due_at == at(2026, 10, 13, 17, 30)
        assert ticket.number == "ZS20261008-0001"
        events = audit.history(session, "ticket", ticket.number)
        assert [e.action for e in events] == ["ticket.receive", "ticket.dispatch"]
    assert counting.calls == 0, "what the citizen was shown is not routed again"


def test_without_a_preview_the_text_is_routed_once(db, router):
    counting = CountingRouter(router)
    with db.session() as session:
        ticket = intake.intake(
            session, TEXT, PHONE, "rest", router=counting, now=at(2026, 12, 4, 18, 0)
        )
    assert counting.calls == 1
    assert ticket.due_at == at(2026, 12, 11, 17, 30), "Friday evening + 5 working days"


def test_a_preview_of_another_text_is_not_trusted(db, router):
    stale = replace(intake.preview(router, "路灯坏了", at(2026, 12, 4, 9, 0)), due_at=None)
    counting = CountingRouter(router)
    with db.session() as session:
        intake.intake(session, TEXT, PHONE, "rest", router=counting, shown=stale)
    assert counting.calls == 1


def test_only_a_report_may_stay_anonymous(db, router):
    anonymous = intake.Contact(anonymous=True)
    complaint = intake.preview(router, TEXT)
    assert "只有举报可以匿名" in intake.contact_problem(complaint, anonymous)
    assert intake.contact_problem(complaint, PHONE) is None
    with db.session() as session, pytest.raises(TicketInvalid, match="只有举报可以匿名"):
        intake.intake(session, TEXT, anonymous, "rest", router=router, shown=complaint)

    report = intake.preview(router, "我要举报普陀区东港有家饭店把餐厨垃圾直接倒进河里")
    assert report.type == "举报"
    assert intake.contact_problem(report, anonymous) is None


def test_a_routing_kept_in_a_slot_comes_back_equal(router):
    shown = intake.preview(router, TEXT, at(2026, 12, 4, 9, 0))
    assert intake.routing_from_slot(shown.to_dict()) == shown
    assert intake.routing_from_slot("not a routing") is None
    assert intake.routing_from_slot({"due_at": "x"}) is None
