"""A citizen on the portal: chatting through our relay, filing a ticket, reloading, reading policies."""

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
    chat_sender,
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
    sender = chat_sender(page, stack)
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
    assert ticket.sender_id == sender and ticket.channel == "portal"
    assert ticket.citizen_phone == "13857012345" and ticket.department_id.startswith("putuo.")


def test_chat_on_a_phone_shows_markup_as_text_and_never_reaches_rasa(stack, new_page):
    page = new_page(PHONE)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_chat(page)
    say(page, MARKUP)
    assert_markup_is_text(page, "#chat")
    say(page, "政策解读材料要和政策文件同步发布吗")
    expect(page.locator(".msg-bot").last).to_contain_text("政策")
    screenshot(page, "portal-chat-phone")
    assert requested and all(url.startswith(stack.url) for url in requested), requested


def test_reload_keeps_the_conversation_and_its_ticket_number(stack, new_page):
    page = new_page(PHONE)
    open_chat(page)
    say(page, "普陀东港街道海华路的路灯坏了一个月没人修")
    expect(page.locator(".msg-bot").last).to_contain_text("手机号")
    say(page, "13857018888")
    page.get_by_role("button", name="确认提交").click()
    done = page.locator(".msg-bot", has_text="已受理")
    expect(done).to_contain_text(re.compile(r"ZS\d{8}-\d{4}"))
    number = re.search(r"ZS\d{8}-\d{4}", done.inner_text()).group(0)
    sender = chat_sender(page, stack)

    page.reload()
    expect(page.locator(".msg-system").last).to_contain_text("欢迎回来")
    expect(page.locator(".msg-bot", has_text=number)).to_have_count(1)
    expect(page.locator(".msg-user", has_text="海华路的路灯")).to_have_count(1)
    expect(page.locator(".msg-user", has_text="确认提交")).to_have_count(1)
    expect(page.locator(".msg-bot", has_text="舟山市政务公开智能助手")).to_have_count(1)
    assert chat_sender(page, stack) == sender
    greeting_buttons = page.locator(".quick-replies").first.get_by_role("button")
    expect(greeting_buttons.first).to_be_disabled()
    say(page, "谢谢")
    expect(page.locator(".msg-bot").last).not_to_contain_text("抱歉")
    screenshot(page, "portal-chat-reloaded-phone")


def test_typing_indicator_while_the_assistant_answers(stack, new_page):
    page = new_page(PHONE)
    open_chat(page)
    release = []

    def slow(route):
        release.append(route)

    page.route("**/api/chat", lambda route: slow(route) if route.request.method == "POST" else route.continue_())
    say(page, "你好")
    typing = page.locator(".msg-typing")
    expect(typing).to_have_text("智能助手正在输入…")
    expect(typing).to_have_attribute("role", "status")
    page.unroute("**/api/chat")
    release[0].continue_()
    expect(typing).to_have_count(0)
    expect(page.locator(".msg-bot").last).to_be_visible()


def test_counter_shows_the_length_and_refuses_more_than_2000_characters(stack, new_page):
    page = new_page(PHONE)
    open_chat(page)
    field, counter = page.get_by_label("输入消息"), page.locator(".chat-counter")
    expect(counter).to_have_text("0/2000")
    field.fill("路" * 2000)
    expect(counter).to_have_text("2000/2000")
    expect(page.get_by_role("button", name="发送")).to_be_enabled()
    field.fill("路" * 2001)
    expect(counter).to_have_text("2001/2000")
    expect(counter).to_have_class(re.compile("over"))
    expect(page.get_by_role("button", name="发送")).to_be_disabled()
    assert len(field.input_value()) == 2001, "nothing is cut silently"
    screenshot(page, "portal-chat-counter-phone", full_page=False)


def test_quick_replies_have_accessible_names(stack, new_page):
    page = new_page(PHONE)
    open_chat(page)
    group = page.get_by_role("group", name="快捷回复").first
    expect(group.get_by_role("button", name="快捷回复：政策咨询")).to_be_visible()


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
