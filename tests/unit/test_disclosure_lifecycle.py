"""依申请公开 lifecycle on SQLite: due dates across holidays, pauses, extension, replies, audit,
refusals at intake, idempotency and the monitor."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot import audit
from bot.disclosure import clock, intake, service
from bot.disclosure.errors import (
    DisclosureConflict,
    DisclosureForbidden,
    DisclosureInvalid,
    DisclosureNotFound,
    DisclosureRepeated,
)
from bot.disclosure.models import DisclosureApplication
from bot.disclosure.monitor import run_monitor
from bot.notices import Notice
from tests.unit.disclosure_fixtures import (
    FINANCE_OFFICE,
    HOUSING,
    HOUSING_OFFICE,
    ID_KEY,
    OPERATOR,
    apply,
    local,
    resident_id,
    sample_form,
)

pytest_plugins = ("tests.unit.disclosure_fixtures",)
TODAY = datetime.now(timezone.utc)


@pytest.mark.parametrize(
    "received, due",
    [
        # The day before National Day: 1-7 Oct off, Saturday 10 Oct worked (调休).
        (local(2026, 9, 30), local(2026, 11, 3, 17, 30)),
        # The day before the Spring Festival break (Saturday 14 Feb and 28 Feb worked).
        (local(2026, 2, 13), local(2026, 3, 19, 17, 30)),
        # Received during the holiday: 8 Oct is the first day counted, as for 30 Sep.
        (local(2026, 10, 3), local(2026, 11, 3, 17, 30)),
        # An ordinary Monday.
        (local(2026, 12, 7), local(2027, 1, 4, 17, 30)),
    ],
)
def test_answer_due_after_twenty_working_days(db, rules, received, due):
    with db.session() as session:
        application = apply(session, rules, received)
        assert application.due_at == due
        assert application.number == f"GK{received:%Y%m%d}-0001"


def test_the_calendar_counts_saturday_make_up_days(rules):
    assert clock.working_days_between(local(2026, 9, 30), local(2026, 10, 12)) == 4
    assert clock.working_days_between(local(2026, 2, 13), local(2026, 2, 24)) == 2


@pytest.mark.parametrize("moment", [local(2026, 11, 27), TODAY], ids=["fixed", "today"])
def test_full_lifecycle_with_third_party_pause_and_extension(db, rules, catalogue, moment):
    with db.session() as session:
        application = apply(session, rules, moment)
        number, first_due = application.number, application.due_at
        service.start(session, number, FINANCE_OFFICE, now=moment + timedelta(hours=1))
        paused = moment + timedelta(days=1)
        service.consult_third_party(
            session, number, FINANCE_OFFICE, note="征求某公司意见", now=paused
        )
        resumed = paused + timedelta(days=14)
        answered = service.third_party_answered(session, number, FINANCE_OFFICE, now=resumed)
        shift = clock.working_days_between(paused, resumed)
        assert shift >= 8
        assert answered.due_at == clock.extend(first_due, shift)
        before_extension = answered.due_at
        extended = service.extend(
            session,
            rules,
            number,
            FINANCE_OFFICE,
            days=20,
            reason="涉及材料较多",
            approver="信息公开办主任 李四",
            now=resumed,
        )
        assert extended.due_at == clock.extend(before_extension, 20)
        with pytest.raises(DisclosureConflict, match="只能延长一次"):
            service.extend(
                session,
                rules,
                number,
                FINANCE_OFFICE,
                days=1,
                reason="再延",
                approver="李四",
                now=resumed,
            )
        replied = service.reply(
            session,
            rules,
            number,
            FINANCE_OFFICE,
            reply_type="granted",
            catalogue=catalogue,
            now=resumed + timedelta(days=1),
        )
        assert replied.status == "replied" and replied.result_row == "granted"
        assert "舟山市财政局" in replied.document
        assert "第三十六条第（二）项" in replied.document
        assert "延长至" in replied.document
        actions = [e.action for e in audit.history(session, "disclosure", number)]
        assert actions == [
            "disclosure.receive",
            "disclosure.start",
            "disclosure.consult",
            "disclosure.third_party_answered",
            "disclosure.extend",
            "disclosure.reply",
        ]
        keys = set(session.execute(select(Notice.dedupe_key)).scalars())
        assert {f"disclosure:{number}:extension", f"disclosure:{number}:reply:granted"} <= keys


def test_correction_restarts_the_clock_once(db, rules):
    received = local(2026, 9, 28)
    with db.session() as session:
        number = apply(session, rules, received).number
        notice = service.request_correction(
            session, rules, number, FINANCE_OFFICE, note="请写明报告的年份", now=local(2026, 9, 29)
        )
        assert notice.status == "correction" and notice.paused_at is not None
        assert notice.correction_due_at == local(2026, 10, 26, 17, 30)
        supplied = local(2026, 10, 9)
        done = service.complete_correction(
            session, rules, number, FINANCE_OFFICE, supplement="2025年", now=supplied
        )
        assert done.status == "received"
        assert done.clock_started_at == supplied
        assert done.due_at == clock.due_after(supplied, 20) == local(2026, 11, 5, 17, 30)
        with pytest.raises(DisclosureConflict, match="只能发出一次"):
            service.request_correction(
                session, rules, number, FINANCE_OFFICE, note="再补", now=supplied
            )


def test_correction_only_within_seven_working_days(db, rules):
    with db.session() as session:
        number = apply(session, rules, local(2026, 9, 30)).number
        # Seven working days after 30 Sep: 8, 9, 10 (调休), 12, 13, 14, 15 Oct.
        service_late = local(2026, 10, 16)
        with pytest.raises(DisclosureConflict, match="7个工作日"):
            service.request_correction(
                session, rules, number, FINANCE_OFFICE, note="x", now=service_late
            )
        service.request_correction(
            session, rules, number, FINANCE_OFFICE, note="写明年份", now=local(2026, 10, 15, 17)
        )


def test_unanswered_correction_lapses_and_overdue_is_supervised(db, rules, catalogue):
    with db.session() as session:
        lapsing = apply(session, rules, local(2026, 9, 28)).number
        service.request_correction(
            session, rules, lapsing, FINANCE_OFFICE, note="写明年份", now=local(2026, 9, 29)
        )
        late = apply(
            session, rules, local(2026, 9, 28), description="舟山市2024年度政府债务余额情况"
        ).number
    with db.session() as session:
        result = run_monitor(session, rules, catalogue, now=local(2026, 11, 20))
        assert result.lapsed == [lapsing] and result.supervised == [late]
    with db.session() as session:
        withdrawn = session.execute(
            select(DisclosureApplication).where(DisclosureApplication.number == lapsing)
        ).scalar_one()
        assert withdrawn.status == "withdrawn" and withdrawn.result_row == "other.1"
        assert "视为放弃申请" in withdrawn.document
        again = run_monitor(session, rules, catalogue, now=local(2026, 11, 21))
        assert again.lapsed == [] and again.supervised == []


@pytest.mark.parametrize(
    "reply_type, given, expected",
    [
        ("already_public", {"where": "舟山市人民政府网站“财政预决算”栏目"}, "财政预决算"),
        ("partly", {"reason": "含个人隐私"}, "第三十七条"),
        ("state_secret", {}, "第十四条"),
        ("process_information", {}, "第十六条第二款"),
        ("not_held", {}, "第三十六条第（四）项"),
        ("other_organ", {"organ": "舟山市自然资源和规划局"}, "舟山市自然资源和规划局"),
        ("repeated", {"reason": "已于2026年10月答复"}, "第三十六条第（六）项"),
        ("petition_complaint", {}, "第三十九条第一款"),
        ("publication", {"where": "舟山市图书馆"}, "第三十九条第二款"),
        ("needs_processing", {}, "第三十八条"),
        ("enforcement_file", {}, "行政执法案卷"),
    ],
)
def test_each_reply_type_renders_its_ground(db, rules, catalogue, reply_type, given, expected):
    with db.session() as session:
        number = apply(session, rules, local(2026, 11, 27)).number
        replied = service.reply(
            session,
            rules,
            number,
            FINANCE_OFFICE,
            reply_type=reply_type,
            catalogue=catalogue,
            now=local(2026, 12, 1),
            **given,
        )
        assert expected in replied.document
        kind = rules.reply_types[reply_type]
        assert kind.ground in replied.document
        assert ("行政复议" in replied.document) == kind.refusal


def test_refusals_need_their_reason_and_every_refusal_has_a_ground(db, rules, catalogue):
    assert all(
        t.ground.startswith("《中华人民共和国政府信息公开条例》")
        for t in rules.reply_types.values()
    )
    with db.session() as session:
        number = apply(session, rules, local(2026, 11, 27)).number
        with pytest.raises(DisclosureInvalid, match="负责公开的机关"):
            service.reply(
                session,
                rules,
                number,
                FINANCE_OFFICE,
                reply_type="other_organ",
                catalogue=catalogue,
            )
        with pytest.raises(DisclosureInvalid, match="条例规定的答复类型"):
            service.reply(
                session,
                rules,
                number,
                FINANCE_OFFICE,
                reply_type="correction_lapsed",
                catalogue=catalogue,
            )


def test_only_the_holding_office_acts_and_transfer_is_recorded(db, rules, catalogue):
    with db.session() as session:
        number = apply(session, rules, local(2026, 11, 27)).number
        with pytest.raises(DisclosureNotFound):
            service.start(session, number, HOUSING_OFFICE)
        with pytest.raises(DisclosureForbidden):
            service.start(session, number, OPERATOR)
        moved = service.transfer(
            session,
            number,
            FINANCE_OFFICE,
            department_id=HOUSING,
            reason="该项目信息由定海区住建局制作",
            catalogue=catalogue,
            now=local(2026, 11, 28),
        )
        assert moved.department_id == HOUSING
        with pytest.raises(DisclosureNotFound):
            service.get_application(session, number, FINANCE_OFFICE)
        service.start(session, number, HOUSING_OFFICE)
        event = audit.history(session, "disclosure", number)[1]
        assert event.action == "disclosure.transfer"
        assert event.detail["from_department_id"] == "city.finance"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"id_number": resident_id()[:17] + ("0" if resident_id()[-1] != "0" else "1")}, "校验位"),
        ({"id_number": "12345"}, "18位"),
        ({"description": "  "}, "申请公开的政府信息"),
        ({"description": "我要投诉小区门口的烧烤店噪音扰民，要求查处"}, "12345"),
        ({"description": "要求舟山某某海运有限公司公开其2025年的财务报表"}, "企业"),
        ({"delivery": "邮寄", "destination": "x"}, "通信地址"),
        ({"applicant_kind": "商业企业", "id_number": "91330900MA2A0000X1"}, "统一社会信用代码"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(db, rules, changes, message):
    with db.session() as session:
        with pytest.raises(DisclosureInvalid, match=message):
            apply(session, rules, local(2026, 11, 27), **changes)
        assert session.execute(select(func.count(DisclosureApplication.id))).scalar_one() == 0
        assert session.execute(select(func.count(audit.AuditEvent.id))).scalar_one() == 0


def test_organisations_apply_with_a_valid_credit_code(db, rules):
    with db.session() as session:
        application = apply(
            session,
            rules,
            local(2026, 11, 27),
            applicant_kind="法律服务机构",
            applicant_name="浙江某某律师事务所",
            id_number="91350100M000100Y43",
        )
        assert application.applicant_kind == "legal_service"
        assert application.id_type == "credit_code"


def test_id_numbers_are_never_stored_in_full(db, rules):
    number = resident_id()
    with db.session() as session:
        application = apply(session, rules, local(2026, 11, 27))
        assert application.id_masked == number[:2] + "*" * 14 + number[-2:]
        row = session.execute(select(DisclosureApplication.__table__)).one()
        assert number not in " ".join(str(v) for v in row)
        assert number not in str(audit.history(session, "disclosure", application.number)[0].detail)


def test_submission_is_idempotent_and_repeats_are_refused(db, rules, catalogue):
    with db.session() as session:
        first = apply(session, rules, local(2026, 11, 27), key="chat:abc")
        again = apply(session, rules, local(2026, 11, 27, 11), key="chat:abc")
        assert again.id == first.id
        with pytest.raises(DisclosureRepeated, match="无需重复提交") as refused:
            apply(
                session,
                rules,
                local(2026, 11, 28),
                description="舟山市2025年度市级财政预算执行情况报告 全文。",
            )
        assert refused.value.number == first.number
        service.reply(
            session,
            rules,
            first.number,
            FINANCE_OFFICE,
            reply_type="granted",
            catalogue=catalogue,
            now=local(2026, 12, 1),
        )
        with pytest.raises(DisclosureRepeated, match="第三十六条第（六）项"):
            apply(session, rules, local(2026, 12, 2))
        assert session.execute(select(func.count(DisclosureApplication.id))).scalar_one() == 1


def test_status_lookup_needs_the_phone_or_the_same_chat(db, rules, catalogue):
    with db.session() as session:
        number = apply(session, rules, local(2026, 11, 27)).number
        assert service.lookup(session, number, "0000", catalogue=catalogue) is None
        assert service.lookup(session, number, None, catalogue=catalogue) is None
        status = service.lookup(session, number.lower(), "1234", catalogue=catalogue)
        assert status.status == "已收到，等待办理" and status.organ == "舟山市财政局"
        assert service.lookup(session, number, None, catalogue=catalogue, sender_id="tg-42")


def test_id_key_makes_the_digest(rules):
    one = intake.check_application(rules, sample_form(), ID_KEY)
    other = intake.check_application(rules, sample_form(), "another-key")
    assert one.id_digest != other.id_digest and one.id_masked == other.id_masked


@pytest.fixture(scope="module")
def router():
    from bot.config import PROJECT_ROOT
    from bot.tickets.routing import Router

    return Router.load(PROJECT_ROOT / "knowledge")


@pytest.mark.parametrize(
    "description, named, expected",
    [
        ("定海区老旧小区改造项目的批复文件", None, "dinghai.housing_construction"),
        ("普陀区综合行政执法局2026年行政处罚决定书", None, "putuo.city_management"),
        ("舟山市第3号文件全文及其附件", None, "city.government_office"),
        ("舟山市第3号文件全文及其附件", "舟山市财政局", "city.finance"),
    ],
)
def test_the_authority_is_chosen_as_tickets_are_routed(router, description, named, expected):
    assert intake.choose_authority(router, description, named) == expected
