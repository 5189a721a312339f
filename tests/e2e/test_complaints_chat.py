"""A complaint from the citizen's first words to a stored, routed ticket, through the real services."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select

from bot.audit import AuditEvent
from bot.clock import format_cn
from bot.tickets.models import Ticket


def sender() -> str:
    return f"citizen-{uuid.uuid4().hex[:12]}"


def tickets_of(stack, citizen: str) -> list[Ticket]:
    with stack.db.session() as session:
        return list(
            session.execute(select(Ticket).where(Ticket.sender_id == citizen)).scalars()
        )


def test_complaint_asks_only_what_is_missing_and_creates_one_ticket(stack):
    citizen = sender()
    first = stack.texts(citizen, "普陀沈家门渔港路那个工地昨天半夜还在打桩，吵得根本睡不着")
    assert "手机号" in first, "place, time and what were all given: only the phone is missing"
    summary = stack.say(citizen, "13857012345")
    text = summary[0]["text"]
    assert "请确认" in text and "普陀区" in text and "138****2345" in text
    assert [b["payload"] for b in summary[0]["buttons"]] == ["/affirm", "/deny"]
    done = stack.texts(citizen, "/affirm")
    assert "已受理" in done and "工单号：ZS" in done and "办结时限" in done
    tickets = tickets_of(stack, citizen)
    assert len(tickets) == 1
    ticket = tickets[0]
    assert ticket.number in done
    assert ticket.type == "投诉" and ticket.status == "dispatched"
    assert ticket.department_id and "putuo" in ticket.department_id
    assert ticket.citizen_phone == "13857012345"
    stack.say(citizen, "/affirm")
    stack.say(citizen, "确认")
    assert len(tickets_of(stack, citizen)) == 1, "a repeated confirmation must not file twice"

    status = stack.texts(citizen, "我的工单处理得怎么样了")
    assert ticket.number in status and "承办单位" in status


def test_form_asks_step_by_step_and_can_be_cancelled(stack):
    citizen = sender()
    assert "发生了什么" in stack.texts(citizen, "我要投诉")
    assert "哪里" in stack.texts(citizen, "小区门口的路灯坏了一个多月了，晚上黑漆漆的")
    cancelled = stack.texts(citizen, "/deny")
    assert "已取消" in cancelled
    assert tickets_of(stack, citizen) == []


def test_emergency_is_referred_at_once_and_recorded(stack):
    citizen = sender()
    reply = stack.texts(citizen, "救命！楼下饭店着火了，烟好大")
    assert "119" in reply
    assert tickets_of(stack, citizen) == []
    with stack.db.session() as session:
        count = session.execute(
            select(func.count()).select_from(AuditEvent).where(
                AuditEvent.entity_type == "referral", AuditEvent.entity_id == citizen
            )
        ).scalar()
    assert count == 1


def test_status_for_another_conversation_needs_the_phone_digits(stack):
    owner = sender()
    stack.say(owner, "定海区解放路的下水道堵了，污水都漫到路上了，已经三天了")
    stack.say(owner, "13957001234")
    done = stack.texts(owner, "/affirm")
    number = tickets_of(stack, owner)[0].number
    assert number in done

    stranger = sender()
    asked = stack.texts(stranger, f"帮我查一下工单{number}")
    assert "后四位" in asked
    wrong = stack.texts(stranger, "9999")
    assert "不一致" in wrong and "承办单位" not in wrong
    stack.texts(stranger, f"查询工单{number}")
    right = stack.texts(stranger, "1234")
    assert number in right and "承办单位" in right


def test_the_deadline_shown_is_the_deadline_stored(stack):
    citizen = sender()
    stack.say(citizen, "定海区人民路上的路灯坏了一个多月了，晚上很黑")
    summary = stack.say(citizen, "13857012346")[0]["text"]
    shown = re.search(r"办结时限：(\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}) 前", summary)
    assert shown, summary
    done = stack.texts(citizen, "/affirm")
    (ticket,) = tickets_of(stack, citizen)
    assert format_cn(ticket.due_at) == shown.group(1)
    assert f"办结时限：{shown.group(1)} 前" in done


def test_only_a_report_may_stay_anonymous(stack):
    complainant = sender()
    stack.say(complainant, "定海区解放路的下水道堵了，污水都漫到路上了，已经三天了")
    again = stack.texts(complainant, "我想匿名")
    assert "只有举报可以匿名" in again
    assert "请确认" in stack.texts(complainant, "13957001235")
    stack.say(complainant, "/affirm")
    assert tickets_of(stack, complainant)[0].citizen_phone == "13957001235"

    informant = sender()
    asked = stack.texts(informant, "我要举报普陀区东港有家饭店今天上午把餐厨垃圾直接倒进河里")
    assert "手机号" in asked
    assert "请确认" in stack.texts(informant, "匿名")
    done = stack.texts(informant, "/affirm")
    (ticket,) = tickets_of(stack, informant)
    assert ticket.number in done
    assert ticket.type == "举报" and ticket.anonymous and ticket.citizen_phone is None


def test_an_uncertain_emergency_shows_the_number_and_still_files_the_ticket(stack):
    citizen = sender()
    letter = (
        "我要投诉，我是定海城东街道某小区的业主，想反映我们小区的消防问题。"
        + "小区的楼道里长期堆满了杂物，物业多次通知也没有人清理，消防通道被私家车占用，"
        * 4
        + "今天晚上楼道里着火了，浓烟很大，希望有关部门重视。"
    )
    first = stack.texts(citizen, letter)
    assert "119" in first and "同时我们也为您登记工单" in first
    assert "手机号" in first
    stack.say(citizen, "13857012345")
    done = stack.texts(citizen, "/affirm")
    assert "已受理" in done
    tickets = tickets_of(stack, citizen)
    assert len(tickets) == 1 and tickets[0].urgent
    assert tickets[0].department_id and "dinghai" in tickets[0].department_id


def test_a_place_name_of_two_districts_is_asked_not_guessed(stack):
    citizen = sender()
    asked = stack.texts(citizen, "我要投诉，路灯坏了一个多月了，晚上黑漆漆的")
    assert "哪里" in asked
    again = stack.texts(citizen, "青龙村")
    assert "定海区" in again and "普陀区" in again and "哪个区县" in again
    stack.texts(citizen, "普陀区青龙村")
    assert tickets_of(stack, citizen) == []
