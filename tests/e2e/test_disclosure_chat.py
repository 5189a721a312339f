"""依申请公开 through the real services on both profiles: apply in the chat, one stored
application, status by number with the phone check, the office's 补正 and reply reaching the
applicant's chat, and bad input refused with nothing stored."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from bot.accounts import Principal
from bot.clock import format_cn
from bot.disclosure import intake, service
from bot.disclosure.models import DisclosureApplication
from bot.disclosure.rules import load_rules
from bot.notices import Notice
from bot.tickets.catalogue import Catalogue
from tests.unit.disclosure_fixtures import resident_id


def sender() -> str:
    return f"applicant-{uuid.uuid4().hex[:12]}"


def stored(stack, citizen: str) -> list[DisclosureApplication]:
    with stack.db.session() as session:
        return list(
            session.execute(
                select(DisclosureApplication).where(DisclosureApplication.sender_id == citizen)
            ).scalars()
        )


def apply_in_chat(stack, citizen: str, description: str, id_number: str) -> str:
    opening = stack.texts(citizen, "我要申请政府信息公开")
    assert "文件名称" in opening
    assert "自然人" in stack.texts(citizen, description)
    assert "姓名" in stack.texts(citizen, "自然人")
    assert "证件号码" in stack.texts(citizen, "李四")
    bad = stack.texts(citizen, id_number[:-1] + ("1" if id_number[-1] != "1" else "2"))
    assert "校验位" in bad
    assert "联系电话" in stack.texts(citizen, id_number)
    assert "形式" in stack.texts(citizen, "13906801234")
    assert "怎样获取" in stack.texts(citizen, "电子")
    assert "邮箱" in stack.texts(citizen, "电子邮件")
    summary = stack.say(citizen, "lisi@example.com")[0]
    assert "请确认" in summary["text"] and "139****1234" in summary["text"]
    assert id_number not in summary["text"] and id_number[:2] + "*" * 14 in summary["text"]
    assert [b["payload"] for b in summary["buttons"]] == ["/affirm", "/deny"]
    done = stack.texts(citizen, "/affirm")
    assert "申请编号：GK" in done and "答复期限" in done
    return done


def test_apply_status_correction_and_reply_in_the_chat(stack):
    citizen = sender()
    id_number = resident_id(f"3309021988{uuid.uuid4().int % 12 + 1:02d}15321")
    done = apply_in_chat(stack, citizen, "舟山市2025年度市级部门预算公开目录及说明", id_number)
    applications = stored(stack, citizen)
    assert len(applications) == 1
    application = applications[0]
    assert application.number in done and application.channel == "rest"
    assert application.id_masked == id_number[:2] + "*" * 14 + id_number[-2:]
    stack.say(citizen, "/affirm")
    assert len(stored(stack, citizen)) == 1, "a repeated confirmation files nothing more"

    stranger = sender()
    asked = stack.texts(stranger, f"申请{application.number}到哪一步了")
    assert "后四位" in asked
    assert "不一致" in stack.texts(stranger, "0000")
    assert "后四位" in stack.texts(stranger, application.number)
    assert "已收到" in stack.texts(stranger, "1234")
    own = stack.texts(citizen, "我的申请到哪一步了")
    assert application.number in own and "已收到" in own and "答复期限" in own

    rules = load_rules(stack.settings.knowledge_dir)
    catalogue = Catalogue.load(stack.settings.knowledge_dir / "departments.yml")
    office = Principal(0, "office", "department", application.department_id)
    with stack.db.session() as session:
        service.request_correction(
            session, rules, application.number, office, note="请写明需要哪个部门的预算"
        )
    paused = stack.texts(citizen, f"{application.number}")
    assert "补正" in paused and "暂停计算" in paused
    with stack.db.session() as session:
        service.complete_correction(
            session, rules, application.number, office, supplement="市财政局部门预算"
        )
        service.start(session, application.number, office)
        extended = service.extend(
            session,
            rules,
            application.number,
            office,
            days=15,
            reason="需要调取档案",
            approver="政务公开办主任 周某",
        ).due_at
    later = stack.texts(citizen, "我的申请到哪一步了")
    assert format_cn(extended) in later and "办理" in later
    with stack.db.session() as session:
        service.reply(
            session,
            rules,
            application.number,
            office,
            reply_type="already_public",
            where="舟山市人民政府门户网站“预决算公开”专栏",
            catalogue=catalogue,
        )
    answered = stack.texts(citizen, "我的申请到哪一步了")
    assert "已答复" in answered and "预决算公开" in answered and "第三十六条第（一）项" in answered
    with stack.db.session() as session:
        keys = set(
            session.execute(
                select(Notice.dedupe_key).where(Notice.dedupe_key.like(f"disclosure:{application.number}:%"))
            ).scalars()
        )
    assert keys == {
        f"disclosure:{application.number}:correction",
        f"disclosure:{application.number}:extension",
        f"disclosure:{application.number}:reply:already_public",
    }


def test_bad_input_is_answered_and_nothing_is_stored(stack):
    citizen = sender()
    stack.texts(citizen, "我要申请政府信息公开")
    complaint = stack.texts(citizen, "我要投诉楼下烧烤店油烟扰民，要求查处")
    assert "12345" in complaint and "第三十九条" in complaint
    enterprise = stack.texts(citizen, "要求舟山某某海运有限公司公开其2025年的财务报表")
    assert "企业" in enterprise and "行政机关" in enterprise
    assert "申请公开的政府信息" in stack.texts(citizen, "嗯")
    assert "已取消" in stack.texts(citizen, "/deny")
    assert stored(stack, citizen) == []


def test_a_repeated_application_is_refused(stack):
    citizen, again = sender(), sender()
    id_number = resident_id(f"3309031979{uuid.uuid4().int % 12 + 1:02d}22001")
    description = f"舟山市{uuid.uuid4().hex[:4]}号文件全文"
    apply_in_chat(stack, citizen, description, id_number)
    stack.texts(again, "我要申请政府信息公开")
    for answer in (description, "自然人", "李四", id_number, "13906801234", "电子", "自行领取"):
        reply = stack.texts(again, answer)
    assert "请确认" in reply
    refused = stack.texts(again, "/affirm")
    assert "已于" in refused and "无需重复提交" in refused
    assert stored(stack, again) == []
    with stack.db.session() as session:
        count = session.execute(
            select(func.count(DisclosureApplication.id)).where(
                DisclosureApplication.description == description
            )
        ).scalar_one()
    assert count == 1


GIVEN = {
    "where": "舟山市人民政府门户网站",
    "reason": "涉及个人隐私",
    "organ": "舟山市自然资源和规划局",
}


def test_every_reply_type_reaches_the_applicant_by_number(stack):
    """Each answer the regulation allows, given by the office, read in the chat by number."""
    rules = load_rules(stack.settings.knowledge_dir)
    catalogue = Catalogue.load(stack.settings.knowledge_dir / "departments.yml")
    citizen = sender()
    office = Principal(0, "office", "department", "city.finance")
    for index, kind in enumerate(rules.office_reply_types):
        form = {
            "applicant_kind": "自然人",
            "applicant_name": "赵六",
            "id_number": resident_id(f"33090219750{index % 9 + 1}1{index % 9 + 1}888"),
            "phone": "13700001111",
            "description": f"舟山市财政局{uuid.uuid4().hex[:6]}号文件",
            "medium": "电子",
            "delivery": "自行领取",
        }
        with stack.db.session() as session:
            number = service.create_application(
                session,
                rules,
                intake.check_application(rules, form, "e2e"),
                department_id="city.finance",
                channel="rest",
                sender_id=citizen,
            ).number
            service.reply(
                session,
                rules,
                number,
                office,
                reply_type=kind.code,
                catalogue=catalogue,
                **{need: GIVEN[need] for need in kind.needs},
            )
        answer = stack.texts(citizen, f"申请{number}到哪一步了")
        assert "已答复" in answer and kind.ground in answer, (kind.code, answer)
