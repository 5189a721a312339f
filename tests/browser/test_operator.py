"""The 12345 operator: suggestions while a caller talks, a pre-filled ticket, and hand-overs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bot.audit import AuditEvent
from bot.handoff import HandoffMessage
from bot.tickets.models import Ticket
from bot.web.models import SuggestionFeedback
from tests.browser.conftest import (
    MARKUP,
    assert_markup_is_text,
    chat_sender,
    login,
    open_chat,
    say,
    screenshot,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_operator_sees_suggestions_and_creates_the_prefilled_ticket(stack, new_page):
    page = login(new_page(), stack, "operator")
    expect(page).to_have_url(re.compile(r"/operator$"))
    caller = page.get_by_label(re.compile("市民所述"))

    caller.fill("政策解读材料要和政策文件同步发布吗")
    first = page.locator(".suggestion").first
    expect(first).to_contain_text("出处：舟山市全面推进政务公开实施细则")
    first.get_by_role("button", name="采用", exact=True).click()
    expect(first).to_contain_text("已采用")
    with stack.db.session() as session:
        feedback = session.execute(
            select(SuggestionFeedback).order_by(SuggestionFeedback.id.desc())
        ).scalars().first()
    assert feedback.action == "used" and feedback.operator == "operator:op-wang"
    assert "同步发布" in feedback.question

    page.get_by_role("button", name="新来电（清空）").click()
    caller.fill("普陀区沈家门渔港路的路灯坏了一个多月了，晚上很黑，老人出门不安全")
    department = page.get_by_label("承办单位")
    expect(department).not_to_have_value("")
    expect(page.get_by_label("预计办结时限")).to_have_value(re.compile("年.*月.*日"))
    prefilled = department.input_value()
    assert prefilled.startswith("putuo.")
    page.get_by_label("市民姓名").fill("李四")
    page.get_by_label("联系电话").fill("13900001111")
    screenshot(page, "operator-console-prefilled")
    page.get_by_role("button", name="创建工单").click()
    result = page.locator("#ticket-result")
    expect(result).to_contain_text(re.compile(r"已创建工单 ZS\d{8}-\d{4}"))

    number = re.search(r"ZS\d{8}-\d{4}", result.inner_text()).group(0)
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        received = session.execute(
            select(AuditEvent).where(
                AuditEvent.entity_id == number, AuditEvent.action == "ticket.receive"
            )
        ).scalar_one()
    assert ticket.channel == "hotline" and ticket.department_id == prefilled
    assert ticket.citizen_phone == "13900001111" and ticket.status == "dispatched"
    assert received.actor == "operator:op-wang"


def test_suggestions_outside_the_library_are_folded_and_marked(stack, new_page):
    page = login(new_page(), stack, "operator")
    page.get_by_label(re.compile("市民所述")).fill("政策里有没有规定明年元宵节普陀山放不放烟花")
    expect(page.locator("#suggestions-hint")).to_have_text(
        "政策库里没有与来电相符的政策，请按来电内容办理或转办。"
    )
    expect(page.locator(".suggestion")).to_have_count(0)
    page.get_by_role("button", name=re.compile("显示低匹配参考")).click()
    cards = page.locator(".suggestion.low-confidence")
    expect(cards.first).to_contain_text("低匹配，仅供参考，请核实")
    assert cards.count() == page.locator(".suggestion").count() >= 1


def test_operator_needs_a_phone_unless_anonymous_report(stack, new_page):
    page = login(new_page(), stack, "operator")
    page.get_by_label(re.compile("市民所述")).fill("定海区解放路有人占道经营，堵住了人行道")
    expect(page.get_by_label("承办单位")).not_to_have_value("")
    page.get_by_role("button", name="创建工单").click()
    expect(page.locator("#ticket-result")).to_have_text("请填写联系电话（仅举报可匿名）。")


def test_handed_over_conversation_goes_both_ways_and_back(stack, new_page):
    citizen = new_page()
    open_chat(citizen)
    greeting = citizen.locator(".msg-bot").count()
    say(citizen, "我想问一下政策解读由谁负责")
    expect(citizen.locator(".msg-bot").nth(greeting)).to_be_visible()
    citizen.locator(".quick-replies button", has_text="转人工").first.click()
    expect(citizen.locator(".msg-bot").last).to_contain_text("已为您转接人工客服")
    expect(citizen.locator(".chat-status")).to_have_text("正在为您转接人工客服…")
    sender = chat_sender(citizen, stack)

    operator = login(new_page(), stack, "operator")
    request = operator.locator("#handoff-queue li", has_text="政策解读由谁负责")
    request.get_by_role("button", name="接入").click()
    expect(operator).to_have_url(re.compile(r"/operator/handoffs/\d+$"))
    transcript = operator.locator("#transcript")
    expect(transcript).to_contain_text("我想问一下政策解读由谁负责")
    expect(citizen.locator(".chat-status")).to_have_text("人工客服已接入")

    operator.get_by_label("回复市民").fill("您好，我是12345话务员小王，请问还有什么问题？")
    operator.get_by_role("button", name="发送").click()
    expect(citizen.locator(".msg-operator")).to_contain_text("我是12345话务员小王")

    say(citizen, MARKUP)
    expect(transcript.locator(".msg-citizen").last).to_contain_text('<img src="x"')
    assert_markup_is_text(operator, "#transcript")
    screenshot(operator, "operator-handoff")
    with stack.db.session() as session:
        authors = session.execute(
            select(HandoffMessage.author).where(HandoffMessage.sender_id == sender)
        ).scalars().all()
    assert authors == ["operator", "citizen"]

    operator.get_by_role("button", name="结束对话，交还智能助手").click()
    expect(operator).to_have_url(re.compile(r"/operator$"))
    expect(citizen.locator(".msg-system").last).to_contain_text("人工客服已结束本次对话")
    answered = citizen.locator(".msg-bot").count()
    say(citizen, "你好")
    expect(citizen.locator(".msg-bot").nth(answered)).to_be_visible()
    screenshot(citizen, "portal-after-handoff")
