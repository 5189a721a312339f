"""One citizen's whole journey on a phone, at the real date, as issue 13 walks it: greet, ask a
policy question, file a complaint, check it by its bare number, start an opinion from the menu
without naming a draft, ask for a person and get the operator's reply pushed, reload and still
see everything; then the department calls back and replies, and the citizen rates the outcome."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bot.accounts import Principal
from bot.tickets import service
from bot.tickets.models import Ticket
from tests.browser.conftest import PHONE, login, open_chat, say, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def last_bot(page):
    return page.locator(".msg-bot").last


def answered(page, before: int):
    """The first bot message after the `before` ones already shown."""
    reply = page.locator(".msg-bot").nth(before)
    expect(reply).to_be_visible()
    return reply


def test_a_citizens_whole_journey_on_a_phone(stack, new_page):
    citizen = new_page(PHONE)
    open_chat(citizen)

    shown = citizen.locator(".msg-bot").count()
    say(citizen, "政策解读材料要和政策文件同步发布吗")
    expect(answered(citizen, shown)).to_contain_text("政策")

    say(citizen, "普陀沈家门渔港路那个工地昨天半夜还在打桩，吵得根本睡不着")
    expect(last_bot(citizen)).to_contain_text("手机号")
    say(citizen, "13857012345")
    citizen.get_by_role("button", name="确认提交").last.click()
    done = citizen.locator(".msg-bot", has_text="已受理")
    expect(done).to_contain_text(re.compile(r"ZS\d{8}-\d{4}"))
    number = re.search(r"ZS\d{8}-\d{4}", done.inner_text()).group(0)

    shown = citizen.locator(".msg-bot").count()
    say(citizen, number)
    status = answered(citizen, shown)
    expect(status).to_contain_text(number)
    expect(citizen.locator(".msg-bot").last).not_to_contain_text("发生在哪里")

    shown = citizen.locator(".msg-bot").count()
    citizen.locator(".quick-replies button", has_text="提意见建议").last.click()
    opinion = answered(citizen, shown)
    expect(opinion).not_to_contain_text("已取消")
    expect(opinion).to_contain_text(re.compile("征求意见|意见"))
    screenshot(citizen, "journey-opinion-phone")
    shown = citizen.locator(".msg-bot").count()
    say(citizen, "算了，不提了")
    expect(answered(citizen, shown)).to_be_visible()

    shown = citizen.locator(".msg-bot").count()
    say(citizen, "转人工")
    expect(answered(citizen, shown)).to_contain_text("人工")
    operator = login(new_page(), stack, "operator")
    operator.locator("#handoff-queue li").filter(has_text="转人工").first.get_by_role(
        "button", name="接入"
    ).click()
    expect(citizen.locator(".chat-status")).to_have_text("人工客服已接入")
    operator.get_by_label("回复市民").fill("您好，我是12345话务员，您反映的噪音已记录。")
    operator.get_by_role("button", name="发送").click()
    expect(citizen.locator(".msg-operator")).to_contain_text("您反映的噪音已记录")
    operator.get_by_role("button", name="结束对话，交还智能助手").click()
    expect(citizen.locator(".msg-system").last).to_contain_text("人工客服已结束本次对话")

    citizen.reload()
    expect(citizen.locator(".msg-bot", has_text=number).first).to_be_visible()
    expect(citizen.locator(".msg-operator")).to_contain_text("您反映的噪音已记录")
    expect(citizen.locator(".msg-user", has_text="政策解读材料")).to_have_count(1)
    screenshot(citizen, "journey-reloaded-phone")

    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        clerk = Principal(0, "clerk", "department", ticket.department_id)
        service.sign(session, number, clerk)
        service.reply_and_close(session, number, clerk, reply="已责令工地夜间停止打桩。")
    expect(citizen.locator(".msg-notice", has_text="已责令工地夜间停止打桩").first).to_be_visible(
        timeout=30_000
    )
    shown = citizen.locator(".msg-bot").count()
    say(citizen, number)
    expect(answered(citizen, shown)).to_contain_text("已责令工地夜间停止打桩")
    citizen.locator(".quick-replies button", has_text="基本满意").last.click()
    expect(citizen.locator(".msg-bot").last).to_contain_text(re.compile("感谢|评价"))
    screenshot(citizen, "journey-rated-phone")
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        assert ticket.satisfaction == "基本满意"
