"""A citizen on the portal: chatting over socket.io, filing a ticket, reading policies."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bot.tickets.models import Ticket
from tests.browser.conftest import (
    MARKUP,
    PHONE,
    assert_markup_is_text,
    open_chat,
    say,
    screenshot,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]



def test_citizen_files_a_complaint_in_the_chat(stack, new_page):
    page = new_page()
    open_chat(page)
    greeting_buttons = page.locator(".quick-replies").first.get_by_role("button")
    expect(greeting_buttons).to_contain_text(["政策咨询", "提意见建议", "投诉求助", "查询进度", "转人工"])

    say(page, "普陀沈家门渔港路那个工地昨天半夜还在打桩，吵得根本睡不着")
    expect(page.locator(".msg-bot").last).to_contain_text("手机号")
    say(page, "13857012345")
    expect(page.locator(".msg-bot", has_text="请确认")).to_contain_text("138****2345")
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator(".msg-user").last).to_have_text("确认提交")
    done = page.locator(".msg-bot", has_text="已受理")
    expect(done).to_contain_text(re.compile(r"工单号：ZS\d{8}-\d{4}"))
    screenshot(page, "portal-chat-ticket-desktop")

    number = re.search(r"ZS\d{8}-\d{4}", done.inner_text()).group(0)
    sender = page.evaluate("sessionStorage.getItem('zs-chat-sender')")
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
    assert ticket.sender_id == sender and ticket.channel == "socketio"
    assert ticket.citizen_phone == "13857012345" and ticket.department_id.startswith("putuo.")


def test_chat_on_a_phone_falls_back_to_rest_and_shows_markup_as_text(stack, new_page):
    page = new_page(PHONE)
    page.route("**/static/vendor/socket.io.min.js", lambda route: route.abort())
    open_chat(page)
    say(page, MARKUP)
    assert_markup_is_text(page, "#chat")
    say(page, "政策解读材料要和政策文件同步发布吗")
    expect(page.locator(".msg-bot").last).to_contain_text("政策")
    screenshot(page, "portal-chat-phone")


def test_policy_pages_show_the_interpretation_and_clauses(stack, new_page):
    page = new_page(PHONE)
    page.goto("/")
    expect(page.get_by_role("link", name="征求意见").first).to_have_attribute("href", "/consultations")
    page.goto("/policies")
    page.get_by_role("searchbox", name="搜索政策").fill("政务公开实施细则")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="舟山市全面推进政务公开实施细则").click()
    expect(page.get_by_role("heading", name="舟山市全面推进政务公开实施细则")).to_be_visible()
    for heading in ("解读材料", "政策问答", "政策原文"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("舟山市人民政府办公室")
    expect(page.locator("#clause-2\\.5")).to_contain_text("明确解读责任主体")
    screenshot(page, "portal-policy-phone", full_page=False)


def test_policy_search_filters_and_table_of_contents_on_a_phone(stack, new_page):
    page = new_page(PHONE)
    page.goto("/policies")
    page.get_by_role("searchbox", name="搜索政策").fill("公积金提取申请几天内作出决定")
    page.get_by_label("效力").select_option("in_force")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".policy-list li").first).to_contain_text("住房公积金管理条例")
    expect(page.locator("#result-count")).to_contain_text("共")
    page.get_by_label("发文机关").select_option("舟山市人民代表大会常务委员会")
    page.get_by_role("searchbox", name="搜索政策").fill("")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".policy-list li").first).to_contain_text("舟山市")
    page.goto("/policies/cn41")
    expect(page.get_by_role("heading", name="目录")).to_be_visible()
    page.get_by_role("link", name="第四章 提取和使用").click()
    expect(page.locator("#clause-4")).to_be_in_viewport()
    screenshot(page, "portal-policy-search-phone", full_page=False)
