"""A department: its inbox by time left, signing and replying, and nothing of other bodies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from bot.audit import AuditEvent
from bot.db import utcnow
from bot.tickets.models import Ticket
from tests.browser.conftest import (
    DINGHAI_ENFORCEMENT,
    ESCAPED_MARKUP,
    PHONE,
    PUTUO_ENFORCEMENT,
    login,
    screenshot,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_department_signs_and_replies(stack, new_page):
    description = unique("沈家门渔港路夜间施工噪音扰民，" + ESCAPED_MARKUP)
    number = stack.new_ticket(PUTUO_ENFORCEMENT, description)
    page = login(new_page(), stack, "department")
    row = page.locator(f'tr[data-number="{number}"]')
    expect(row).to_have_class("left-ok")
    expect(row).to_contain_text("时间充裕")
    screenshot(page, "department-inbox")
    row.get_by_role("link", name=number).click()

    expect(page.get_by_role("heading", name=f"工单 {number}")).to_be_visible()
    expect(page.locator("#description")).to_contain_text("沈家门渔港路夜间施工噪音扰民")
    assert page.locator('#description img[src="x"]').count() == 0, "decoded, then stripped"
    assert page.locator("#description b").count() == 0 and page.title() != "XSS"
    expect(page.locator("#citizen")).to_contain_text("张三")
    expect(page.get_by_role("link", name="拨打市民电话 13812345678")).to_have_attribute(
        "href", "tel:13812345678"
    )
    with stack.db.session() as session:
        viewed = session.execute(
            select(AuditEvent).where(
                AuditEvent.entity_id == number, AuditEvent.action == "ticket.phone_viewed"
            )
        ).scalars().all()
    assert [event.actor for event in viewed] == ["department:putuo-zf"]
    expect(page.locator(".history")).to_contain_text("系统自动分派")
    expect(page.locator(".history")).not_to_contain_text("system:")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_role("status")).to_contain_text("已签收")
    page.get_by_label("延期工作日数").fill("3")
    page.get_by_label("延期理由").fill("需协调施工单位调整工期")
    page.get_by_role("button", name="申请延期").click()
    expect(page.get_by_role("status")).to_contain_text("延期申请已提交")
    expect(page.get_by_role("button", name="申请延期")).to_have_count(0)

    page.get_by_label("答复市民（办结）").fill("经现场核查，已责令施工单位夜间停止打桩作业。")
    page.get_by_role("button", name="答复并办结").click()
    expect(page.get_by_role("status")).to_contain_text("已办结")
    history = page.locator(".history")
    for step in ("受理", "派单", "签收", "申请延期", "办结"):
        expect(history).to_contain_text(step)
    page.set_viewport_size(PHONE)
    screenshot(page, "department-ticket-phone")
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
    assert ticket.status == "replied" and ticket.reply.startswith("经现场核查")


def test_inbox_is_coloured_by_time_left(stack, new_page):
    due = {"overdue": -timedelta(hours=3), "soon": timedelta(hours=2), "ok": timedelta(days=20)}
    labels = {"overdue": "已超期", "soon": "不足1个工作日", "ok": "时间充裕"}
    numbers = {}
    for left, delta in due.items():
        numbers[left] = stack.new_ticket(PUTUO_ENFORCEMENT, unique(f"渔港路路面破损，{labels[left]}"))
        with stack.db.session() as session:
            session.execute(
                update(Ticket).where(Ticket.number == numbers[left]).values(due_at=utcnow() + delta)
            )
    page = login(new_page(PHONE), stack, "department")
    for left, number in numbers.items():
        row = page.locator(f'tr[data-number="{number}"]')
        expect(row).to_have_class(f"left-{left}")
        expect(row.locator(".badge")).to_have_text(labels[left])
    screenshot(page, "department-inbox-phone")


def test_department_returns_a_ticket_with_its_reason(stack, new_page):
    number = stack.new_ticket(PUTUO_ENFORCEMENT, unique("渔港路的渔船噪音问题"))
    page = login(new_page(), stack, "department")
    page.goto(f"/department/tickets/{number}")
    page.get_by_label("退单理由（不属于本单位职责时）").fill("应由海洋与渔业局处理，不属于本局职责")
    page.get_by_role("button", name="退单").click()
    expect(page.get_by_role("status")).to_contain_text("已退单")


def test_department_cannot_open_or_act_on_another_bodys_ticket(stack, new_page):
    number = stack.new_ticket(DINGHAI_ENFORCEMENT, unique("定海区解放路占道经营"))
    page = login(new_page(), stack, "department")
    expect(page.locator(f'tr[data-number="{number}"]')).to_have_count(0)
    response = page.goto(f"/department/tickets/{number}")
    assert response.status == 404
    expect(page.get_by_role("heading")).to_contain_text("没有找到工单")

    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    status = page.evaluate(
        """([number, csrf]) => fetch(`/department/tickets/${number}/sign`, {
               method: "POST", headers: {"X-CSRF-Token": csrf}}).then(r => r.status)""",
        [number, csrf],
    )
    assert status == 404
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
    assert ticket.status == "dispatched"


def test_a_post_without_the_csrf_token_is_refused(stack, new_page):
    number = stack.new_ticket(PUTUO_ENFORCEMENT, unique("渔港路路灯不亮"))
    page = login(new_page(), stack, "department")
    status = page.evaluate(
        "number => fetch(`/department/tickets/${number}/sign`, {method: 'POST'}).then(r => r.status)",
        number,
    )
    assert status == 403
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
    assert ticket.status == "dispatched"


def test_operator_pages_are_closed_to_departments_and_to_strangers(stack, new_page):
    stranger = new_page()
    stranger.goto("/department")
    assert stranger.url.endswith("/login?next=/department")
    page = login(new_page(), stack, "department")
    assert page.goto("/operator").status == 403
    assert page.request.get("/api/assist?q=路灯").status == 403


def test_a_supervised_ticket_reaches_its_department_as_a_reminder_it_marks_read(stack, new_page):
    from bot import notices
    from bot.notices import Notice
    from bot.tickets.monitor import run_monitor

    number = stack.new_ticket(PUTUO_ENFORCEMENT, unique("东港街道海华路井盖缺失，"))
    with stack.db.session() as session:
        session.execute(
            update(Ticket).where(Ticket.number == number).values(sign_by=utcnow() - timedelta(hours=1))
        )
        session.commit()
        flagged = [s.number for s in run_monitor(session)]
        notices.enqueue(session, unique("other-department-"), notices.DEPARTMENT,
                        DINGHAI_ENFORCEMENT, "定海的督办提醒")
        session.commit()
    assert number in flagged
    page = login(new_page(PHONE), stack, "department")
    reminders = page.locator(".reminder")
    mine = reminders.filter(has_text=number)
    expect(mine).to_contain_text("超过签收时限未签收")
    expect(page.locator(".reminders")).not_to_contain_text("定海的督办提醒")
    screenshot(page, "department-reminders-phone")

    with stack.db.session() as session:
        other = session.execute(
            select(Notice.id).where(Notice.recipient == DINGHAI_ENFORCEMENT)
        ).scalars().first()
    token = mine.locator('input[name="csrf_token"]').get_attribute("value")
    refused = page.request.post(
        f"{stack.url}/department/notices/{other}/read", form={"csrf_token": token}
    )
    assert refused.status == 404

    mine.get_by_role("button", name="已阅").click()
    expect(page.get_by_role("status")).to_contain_text("已标记为已阅")
    expect(page.locator(".reminder", has_text=number)).to_have_count(0)
    with stack.db.session() as session:
        statuses = session.execute(
            select(Notice.recipient, Notice.status).where(Notice.channel == notices.DEPARTMENT)
        ).all()
        read = session.execute(
            select(AuditEvent.actor).where(AuditEvent.action == "notice.read")
        ).scalars().all()
    assert (DINGHAI_ENFORCEMENT, "pending") in statuses
    assert read == ["department:putuo-zf"]
