"""The ticket state machine on SQLite: transitions, refusals, audit, deadlines, monitor."""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import audit
from bot.accounts import Principal
from bot.clock import LOCAL_TZ
from bot.config import PROJECT_ROOT
from bot.notices import Notice
from bot.numbering import DailySequence
from bot.tickets import service
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import Ticket
from bot.tickets.monitor import run_monitor
from bot.tickets.routing import Router, RoutingResult
from bot.tickets.service import (
    TicketConflict,
    TicketForbidden,
    TicketInvalid,
    TicketNotFound,
)

DINGHAI = "dinghai.housing_construction"
PUTUO = "putuo.housing_construction"
MARKET = "city.market_regulation"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)

OPERATOR = Principal(1, "wang", "operator", None)
ADMIN = Principal(2, "root", "admin", None)
STAFF = Principal(3, "li", "staff", None)
DINGHAI_CLERK = Principal(4, "dh", "department", DINGHAI)
PUTUO_CLERK = Principal(5, "pt", "department", PUTUO)
MARKET_CLERK = Principal(6, "sc", "department", MARKET)


COMPLAINT = RoutingResult(
    text="小区门口井盖坏了好几天，晚上很危险",
    type="投诉",
    category="housing_construction",
    category_name="住房和城乡建设",
    location="定海区解放路",
    jurisdiction="dinghai",
    department_id=DINGHAI,
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def routed(**changes) -> RoutingResult:
    return replace(COMPLAINT, **changes)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(PROJECT_ROOT / "knowledge" / "departments.yml")


def create(db, routing: RoutingResult = COMPLAINT, now: datetime = NOW, **kwargs) -> Ticket:
    values = {"description": "小区门口井盖坏了好几天，晚上很危险", "phone": "13812345678"}
    values.update(kwargs)
    with db.session() as session:
        return service.create_ticket(session, routing, now=now, **values)


def run(db, command, *args, **kwargs) -> Ticket:
    """Run a service command at NOW unless the test names its own moment, so that no test
    depends on the day the suite runs."""
    if "now" in inspect.signature(command).parameters:
        kwargs.setdefault("now", NOW)
    with db.session() as session:
        return command(session, *args, **kwargs)


def actions(db, number: str) -> list[str]:
    with db.session() as session:
        return [event.action for event in service.history(session, number)]


def audit_count(db) -> int:
    with db.session() as session:
        return session.execute(select(func.count(audit.AuditEvent.id))).scalar_one()


def replied(db, **kwargs) -> Ticket:
    ticket = create(db, **kwargs)
    run(db, service.sign, ticket.number, DINGHAI_CLERK, now=NOW)
    return run(db, service.reply_and_close, ticket.number, DINGHAI_CLERK, reply="已修复井盖。")


def test_creation_receives_and_dispatches_to_the_routed_department(db):
    ticket = create(db, routed(co_department_ids=[PUTUO, DINGHAI]), sender_id="tg:42")

    assert ticket.number == "ZS20261127-0001"
    assert ticket.status == "dispatched"
    assert ticket.department_id == DINGHAI
    assert ticket.co_department_ids == [PUTUO]
    assert ticket.due_at == at(2026, 12, 4, 17, 30), "Friday + 5 working days, at closing time"
    assert ticket.sign_by == at(2026, 11, 27, 12, 0), "2 working hours"
    with db.session() as session:
        events = service.history(session, ticket.number)
    assert [(e.action, e.actor) for e in events] == [
        ("ticket.receive", "citizen:tg:42"),
        ("ticket.dispatch", "system:router"),
    ]
    assert events[1].detail["department_id"] == DINGHAI
    assert "13812345678" not in str([e.detail for e in events])


def test_a_routed_complaint_keeps_the_routers_department_and_time_limits(db):
    router = Router.build(PROJECT_ROOT / "knowledge", use_model=False)
    text = "定海区解放路小区门口井盖坏了好几天，晚上很危险"
    routing = router.route(text, now=NOW)

    with db.session() as session:
        ticket = service.create_ticket(
            session, routing, description=text, phone="13812345678", now=NOW
        )

    assert ticket.department_id == routing.department_id
    assert (ticket.type, ticket.jurisdiction) == (routing.type, routing.jurisdiction)
    assert (ticket.due_at, ticket.sign_by) == (routing.due_at, routing.sign_by)


def test_emergencies_and_excluded_matters_are_not_tickets(db):
    with pytest.raises(TicketInvalid, match="110"):
        create(db, routed(emergency="110", emergency_message="这是警情，请立即拨打110报警！"))
    with pytest.raises(TicketInvalid, match="受理范围"):
        create(db, routed(excluded="litigation"))


def test_numbers_follow_the_shanghai_calendar_day(db):
    late = datetime(2026, 11, 27, 23, 59, tzinfo=LOCAL_TZ)
    assert create(db, now=late).number == "ZS20261127-0001"
    assert create(db, now=late).number == "ZS20261127-0002"
    assert create(db, now=late + timedelta(minutes=2)).number == "ZS20261128-0001"


def test_a_retried_submission_returns_the_same_ticket(db):
    first = create(db, idempotency_key="rest:abc:1")
    again = create(db, idempotency_key="rest:abc:1", description="另一段文字")

    assert again.number == first.number
    with db.session() as session:
        assert session.execute(select(func.count(Ticket.id))).scalar_one() == 1
        assert session.execute(select(DailySequence.last)).scalar_one() == 1


def test_a_unrouted_ticket_waits_for_an_operator_to_dispatch(db, catalogue):
    ticket = create(db, routed(department_id=None))
    assert ticket.status == "received"
    with pytest.raises(TicketNotFound):
        run(
            db,
            service.reroute,
            ticket.number,
            DINGHAI_CLERK,
            department_id=DINGHAI,
            catalogue=catalogue,
        )

    ticket = run(
        db,
        service.reroute,
        ticket.number,
        OPERATOR,
        department_id=DINGHAI,
        catalogue=catalogue,
        now=NOW + timedelta(hours=1),
    )

    assert ticket.status == "dispatched"
    assert actions(db, ticket.number) == ["ticket.receive", "ticket.dispatch"]


def test_the_whole_lifecycle_is_audited(db):
    ticket = create(db)
    number = ticket.number
    signed = run(db, service.sign, number, DINGHAI_CLERK, now=NOW + timedelta(minutes=30))
    assert signed.status == "signed"
    assert signed.signed_at == NOW + timedelta(minutes=30)

    asked = run(
        db,
        service.request_extension,
        number,
        DINGHAI_CLERK,
        days=3,
        reason="需协调燃气公司开挖",
        now=NOW + timedelta(days=1),
    )
    assert asked.extension_state == "requested"
    approved = run(
        db, service.decide_extension, number, OPERATOR, approve=True, now=NOW + timedelta(days=1)
    )
    assert approved.extension_state == "approved"
    assert approved.due_at == at(2026, 12, 9, 17, 30)

    closed = run(
        db,
        service.reply_and_close,
        number,
        DINGHAI_CLERK,
        reply="井盖已于今日更换，感谢您的反映。",
        now=NOW + timedelta(days=2),
    )
    assert closed.status == "replied"
    assert closed.reply.startswith("井盖已于今日更换")
    visited = run(
        db, service.record_visit, number, OPERATOR, satisfaction="满意", now=NOW + timedelta(days=3)
    )
    assert (visited.status, visited.satisfaction) == ("visited", "满意")
    archived = run(db, service.archive, number, ADMIN, now=NOW + timedelta(days=4))

    assert archived.status == "archived"
    assert archived.closed_at == NOW + timedelta(days=4)
    assert archived.version == 8
    assert actions(db, number) == [
        "ticket.receive",
        "ticket.dispatch",
        "ticket.sign",
        "ticket.request_extension",
        "ticket.approve_extension",
        "ticket.reply",
        "ticket.visit",
        "ticket.archive",
    ]
    with db.session() as session:
        events = service.history(session, number)
    assert events[2].actor == "department:dh"
    assert events[3].detail == {
        "from": "signed",
        "to": "signed",
        "days": 3,
        "note": "需协调燃气公司开挖",
    }
    assert events[-1].actor == "admin:root"


def test_a_returned_ticket_is_rerouted_with_fresh_time_limits(db, catalogue):
    ticket = create(db)
    with pytest.raises(TicketInvalid, match="理由"):
        run(db, service.return_ticket, ticket.number, DINGHAI_CLERK, reason="  ")

    later = NOW + timedelta(days=1)
    returned = run(
        db,
        service.return_ticket,
        ticket.number,
        DINGHAI_CLERK,
        reason="该路段属普陀区管辖",
        now=later,
    )
    assert returned.status == "returned"
    with pytest.raises(TicketConflict, match="已退单待改派"):
        run(db, service.sign, ticket.number, DINGHAI_CLERK)
    with pytest.raises(TicketInvalid, match="未知的承办单位"):
        run(
            db,
            service.reroute,
            ticket.number,
            OPERATOR,
            department_id="nowhere.bureau",
            catalogue=catalogue,
        )

    rerouted = run(
        db,
        service.reroute,
        ticket.number,
        OPERATOR,
        department_id=PUTUO,
        co_department_ids=[MARKET],
        note="按属地改派",
        catalogue=catalogue,
        now=later,
    )

    assert (rerouted.status, rerouted.department_id) == ("dispatched", PUTUO)
    assert rerouted.co_department_ids == [MARKET]
    assert rerouted.due_at == at(2026, 12, 4, 17, 30), "rerouted on a Saturday"
    assert rerouted.sign_by == at(2026, 11, 30, 10, 30), "Monday 08:30 + 2 working hours"
    assert rerouted.return_reason is None
    with pytest.raises(TicketNotFound):
        run(db, service.get_ticket, ticket.number, DINGHAI_CLERK)
    signed = run(db, service.sign, ticket.number, PUTUO_CLERK, now=later + timedelta(hours=1))
    assert signed.status == "signed"
    assert actions(db, ticket.number)[2:] == ["ticket.return", "ticket.reroute", "ticket.sign"]


def test_an_unsatisfied_visit_reopens_the_ticket(db):
    ticket = replied(db)
    with pytest.raises(TicketInvalid, match="意见"):
        run(db, service.record_visit, ticket.number, OPERATOR, satisfaction="不满意")

    later = NOW + timedelta(days=3)
    reopened = run(
        db,
        service.record_visit,
        ticket.number,
        OPERATOR,
        satisfaction="不满意",
        note="井盖仍然松动",
        now=later,
    )

    assert reopened.status == "dispatched"
    assert reopened.department_id == DINGHAI
    assert reopened.reopen_count == 1
    assert reopened.reply is None and reopened.signed_at is None
    assert reopened.due_at == at(2026, 12, 7, 17, 30)
    assert actions(db, ticket.number)[-1] == "ticket.reopen"
    assert run(db, service.sign, ticket.number, DINGHAI_CLERK).status == "signed"


def test_a_refused_extension_needs_a_reason_and_keeps_the_due_date(db):
    ticket = create(db)
    run(db, service.sign, ticket.number, DINGHAI_CLERK, now=NOW)
    run(db, service.request_extension, ticket.number, DINGHAI_CLERK, days=5, reason="材料未齐")
    with pytest.raises(TicketConflict, match="待审批"):
        run(db, service.request_extension, ticket.number, DINGHAI_CLERK, days=2, reason="再延")
    with pytest.raises(TicketInvalid, match="理由"):
        run(db, service.decide_extension, ticket.number, OPERATOR, approve=False)

    refused = run(
        db, service.decide_extension, ticket.number, OPERATOR, approve=False, note="期限内可以办结"
    )

    assert refused.extension_state == "refused"
    assert refused.due_at == ticket.due_at


@pytest.mark.parametrize("days", [0, 31, "3", True, 2.5])
def test_extension_days_must_be_a_sensible_integer(db, days):
    ticket = create(db)
    run(db, service.sign, ticket.number, DINGHAI_CLERK)
    with pytest.raises(TicketInvalid, match="延期天数"):
        run(db, service.request_extension, ticket.number, DINGHAI_CLERK, days=days, reason="x")


def test_no_extension_after_the_due_date(db):
    ticket = create(db)
    run(db, service.sign, ticket.number, DINGHAI_CLERK)
    with pytest.raises(TicketConflict, match="期限已过"):
        run(
            db,
            service.request_extension,
            ticket.number,
            DINGHAI_CLERK,
            days=2,
            reason="来不及",
            now=ticket.due_at + timedelta(minutes=1),
        )


def test_other_departments_cannot_see_or_touch_a_ticket(db):
    ticket = create(db, routed(co_department_ids=[MARKET]))
    before = audit_count(db)
    for command in (service.get_ticket, service.sign):
        with pytest.raises(TicketNotFound):
            run(db, command, ticket.number, PUTUO_CLERK)
    with pytest.raises(TicketNotFound):
        run(db, service.reply_and_close, ticket.number, PUTUO_CLERK, reply="不是我们的事")

    assert run(db, service.get_ticket, ticket.number, MARKET_CLERK).number == ticket.number
    with pytest.raises(TicketForbidden, match="主办单位"):
        run(db, service.sign, ticket.number, MARKET_CLERK)
    with pytest.raises(TicketNotFound):
        run(db, service.get_ticket, ticket.number, STAFF)
    assert audit_count(db) == before


def test_roles_are_kept_apart(db, catalogue):
    ticket = create(db)
    with pytest.raises(TicketForbidden, match="主办单位"):
        run(db, service.sign, ticket.number, OPERATOR)
    run(db, service.sign, ticket.number, DINGHAI_CLERK)
    run(db, service.request_extension, ticket.number, DINGHAI_CLERK, days=2, reason="等材料")
    with pytest.raises(TicketForbidden, match="话务员"):
        run(db, service.decide_extension, ticket.number, DINGHAI_CLERK, approve=True)
    run(db, service.reply_and_close, ticket.number, DINGHAI_CLERK, reply="已处理")
    for command, kwargs in (
        (service.record_visit, {"satisfaction": "满意"}),
        (service.archive, {}),
    ):
        with pytest.raises(TicketForbidden, match="话务员"):
            run(db, command, ticket.number, DINGHAI_CLERK, **kwargs)


INVALID = [
    ("dispatched", service.reply_and_close, DINGHAI_CLERK, {"reply": "答复"}),
    ("dispatched", service.request_extension, DINGHAI_CLERK, {"days": 2, "reason": "x"}),
    ("dispatched", service.archive, OPERATOR, {}),
    ("dispatched", service.record_visit, OPERATOR, {"satisfaction": "满意"}),
    ("signed", service.sign, DINGHAI_CLERK, {}),
    ("signed", service.return_ticket, DINGHAI_CLERK, {"reason": "不归我们管"}),
    ("signed", service.decide_extension, OPERATOR, {"approve": True}),
    ("signed", service.archive, OPERATOR, {}),
    ("replied", service.reply_and_close, DINGHAI_CLERK, {"reply": "再答复"}),
    ("replied", service.sign, DINGHAI_CLERK, {}),
    ("archived", service.record_visit, OPERATOR, {"satisfaction": "满意"}),
    ("archived", service.archive, OPERATOR, {}),
]


@pytest.mark.parametrize("status, command, actor, kwargs", INVALID)
def test_invalid_transitions_are_refused_without_a_trace(db, status, command, actor, kwargs):
    ticket = create(db)
    if status != "dispatched":
        run(db, service.sign, ticket.number, DINGHAI_CLERK)
    if status in ("replied", "archived"):
        run(db, service.reply_and_close, ticket.number, DINGHAI_CLERK, reply="已处理")
    if status == "archived":
        run(db, service.archive, ticket.number, OPERATOR)
    before = audit_count(db)

    with pytest.raises(service.TicketError) as refused:
        run(db, command, ticket.number, actor, **kwargs)

    assert isinstance(refused.value, TicketConflict | TicketInvalid)
    assert audit_count(db) == before
    with db.session() as session:
        assert service.get_ticket(session, ticket.number, OPERATOR).status == status


def test_a_complaint_made_before_national_day_is_due_after_the_holiday(db):
    eve = datetime(2026, 9, 30, 10, 0, tzinfo=LOCAL_TZ)
    ticket = create(db, now=eve)

    assert ticket.number == "ZS20260930-0001"
    assert ticket.due_at == at(2026, 10, 13, 17, 30), "Oct 1-7 off, Saturday Oct 10 worked (调休)"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"phone": None}, "联系电话"),
        ({"phone": "12345"}, "电话号码格式"),
        ({"description": "   <b></b> "}, "描述"),
    ],
)
def test_creation_refuses_incomplete_submissions(db, kwargs, message):
    with pytest.raises(TicketInvalid, match=message):
        create(db, **kwargs)


def test_an_anonymous_ticket_keeps_no_name(db):
    ticket = create(db, routed(type="举报"), phone=None, name="张三", anonymous=True)
    assert (ticket.citizen_name, ticket.citizen_phone, ticket.anonymous) == (None, None, True)
    named = create(db, phone="0580-2281234", name="张三")
    assert (named.citizen_name, named.citizen_phone) == ("张三", "05802281234")


def test_only_a_report_may_be_anonymous(db):
    with pytest.raises(TicketInvalid, match="只有举报可以匿名"):
        create(db, phone=None, anonymous=True)


def test_an_unknown_ticket_type_is_refused(db):
    with pytest.raises(TicketInvalid, match="工单类型"):
        create(db, routed(type="表扬"))


def test_citizens_look_up_their_own_ticket(db, catalogue):
    ticket = replied(db, sender_id="tg:7")

    found = run(db, service.lookup, ticket.number.lower(), "5678", catalogue=catalogue)
    assert found.status == "已办结"
    assert found.department == "定海区住房和城乡建设局"
    assert found.reply == "已修复井盖。"
    assert run(db, service.lookup, ticket.number, "0000", catalogue=catalogue) is None
    assert run(db, service.lookup, ticket.number, None, catalogue=catalogue) is None
    by_sender = run(db, service.lookup, ticket.number, None, catalogue=catalogue, sender_id="tg:7")
    assert by_sender.reply == "已修复井盖。"
    assert run(db, service.lookup, "ZS20991231-0001", "5678", catalogue=catalogue) is None


def test_an_anonymous_report_shows_a_number_holder_only_that_it_was_received(db, catalogue):
    ticket = replied(db, routing=routed(type="举报"), phone=None, anonymous=True, sender_id="web:9")

    public = run(db, service.lookup, ticket.number, "1234", catalogue=catalogue)
    own = run(db, service.lookup, ticket.number, None, catalogue=catalogue, sender_id="web:9")

    assert (public.status, public.department, public.due_at, public.reply) == (
        "已受理",
        None,
        None,
        None,
    )
    assert not public.awaiting_rating
    assert own.status == "已办结" and own.reply == "已修复井盖。" and own.awaiting_rating


def test_a_citizen_rates_a_closed_ticket_and_dissatisfaction_reopens_it(db, catalogue):
    pleased = replied(db)
    unhappy = replied(db)
    stranger = service.TicketNotFound

    with pytest.raises(stranger):
        run(db, service.rate_by_citizen, pleased.number, satisfaction="满意", phone_last4="0000")
    done = run(
        db,
        service.rate_by_citizen,
        pleased.number,
        satisfaction="基本满意",
        phone_last4=pleased.citizen_phone[-4:],
    )
    again = run(
        db,
        service.rate_by_citizen,
        unhappy.number,
        satisfaction="不满意",
        phone_last4=unhappy.citizen_phone[-4:],
        note="井盖还是松的",
    )

    assert (done.status, done.satisfaction) == ("visited", "基本满意")
    assert (again.status, again.satisfaction, again.reopen_count) == ("dispatched", "不满意", 1)
    assert again.reply is None and again.due_at is not None
    actions = [event.action for event in run(db, service.history, unhappy.number)]
    assert actions[-1] == "ticket.rate_reopen"
    with pytest.raises(service.TicketConflict):
        run(
            db,
            service.rate_by_citizen,
            pleased.number,
            satisfaction="满意",
            phone_last4=pleased.citizen_phone[-4:],
        )


def test_a_department_inbox_lists_its_open_tickets_soonest_due_first(db):
    consultation = create(db, routed(type="咨询"))
    complaint = create(db)
    urgent = create(db, routed(urgent=True))
    elsewhere = create(db, routed(department_id=PUTUO))
    run(db, service.sign, complaint.number, DINGHAI_CLERK)
    replied(db)

    with db.session() as session:
        inbox = service.list_tickets(session, DINGHAI_CLERK, now=NOW)
        signed = service.list_tickets(session, DINGHAI_CLERK, status="signed", now=NOW)
        everything = service.list_tickets(session, DINGHAI_CLERK, status="all", now=NOW)
        overdue = service.list_tickets(
            session, DINGHAI_CLERK, overdue=True, now=NOW + timedelta(days=4)
        )
        all_open = service.list_tickets(session, OPERATOR, now=NOW)
        putuo_only = service.list_tickets(session, OPERATOR, department_id=PUTUO, now=NOW)
        with pytest.raises(TicketForbidden):
            service.list_tickets(session, STAFF)
        with pytest.raises(TicketInvalid):
            service.list_tickets(session, OPERATOR, status="done")

    assert [t.number for t in inbox.items] == [urgent.number, consultation.number, complaint.number]
    assert inbox.total == 3
    assert [t.number for t in signed.items] == [complaint.number]
    assert everything.total == 4
    assert {t.number for t in overdue.items} == {urgent.number, consultation.number}
    assert all_open.total == 4
    assert [t.number for t in putuo_only.items] == [elsewhere.number]


def test_the_monitor_supervises_each_late_ticket_once(db, catalogue):
    unsigned = create(db)
    late = create(db)
    run(db, service.sign, late.number, DINGHAI_CLERK)
    finished = replied(db)

    with db.session() as session:
        assert run_monitor(session, NOW + timedelta(minutes=30)) == []
        first = run_monitor(session, NOW + timedelta(hours=3))
        assert [n.ticket_id for n in first] == [unsigned.id]
        assert "超过签收时限未签收" in first[0].message
        assert first[0].department_id == DINGHAI
    with db.session() as session:
        after_due = run_monitor(session, late.due_at + timedelta(minutes=1))
        assert [n.ticket_id for n in after_due] == [late.id]
        assert "超过办理期限未办结" in after_due[0].message
        assert run_monitor(session, late.due_at + timedelta(days=1)) == []
        assert session.execute(select(func.count(Notice.id))).scalar_one() == 2

    assert run(db, service.get_ticket, unsigned.number, OPERATOR).supervised
    assert actions(db, unsigned.number)[-1] == "ticket.supervise"
    assert actions(db, finished.number)[-1] == "ticket.reply"


def test_a_rerouted_ticket_is_supervised_again_on_its_new_time_limits(db, catalogue):
    ticket = create(db)
    with db.session() as session:
        assert len(run_monitor(session, NOW + timedelta(hours=3))) == 1
    later = NOW + timedelta(days=1)
    run(db, service.return_ticket, ticket.number, DINGHAI_CLERK, reason="不属本单位", now=later)
    rerouted = run(
        db,
        service.reroute,
        ticket.number,
        OPERATOR,
        department_id=PUTUO,
        catalogue=catalogue,
        now=later,
    )
    assert not rerouted.supervised

    with db.session() as session:
        again = run_monitor(session, rerouted.sign_by + timedelta(minutes=1))
    assert [n.department_id for n in again] == [PUTUO]
