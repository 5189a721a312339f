"""WCAG 2.1 AA on the portal and the consoles, checked by axe-core (scripts/install-axe.sh) in
Chromium; 长者模式 remembered across reloads; keyboard use from the skip link on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import violations
from tests.browser.conftest import (
    PHONE,
    PUTUO_ENFORCEMENT,
    login,
    open_chat,
    say,
    screenshot,
    unique,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def elder_mode(page: Page) -> None:
    page.get_by_role("button", name=re.compile("长者模式")).click()
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))


def test_portal_in_elder_mode_on_a_phone_passes_axe_and_is_remembered(stack, new_page):
    page = new_page(PHONE)
    open_chat(page)
    toggle = page.get_by_role("button", name=re.compile("长者模式"))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("link", name="拨打政务服务热线 12345")).to_be_hidden()
    elder_mode(page)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    hotline = page.get_by_role("link", name="拨打政务服务热线 12345")
    expect(hotline).to_be_in_viewport()
    assert float(page.evaluate("getComputedStyle(document.documentElement).fontSize")[:-2]) >= 20
    answered = page.locator(".msg-bot").count()
    say(page, "政策解读材料要和政策文件同步发布吗")
    answer = page.locator(".msg-bot").nth(answered)
    more = answer.get_by_role("button", name="展开全文")
    expect(more).to_be_visible()
    short = answer.inner_text()
    more.click()
    expect(answer.get_by_role("button", name="展开全文")).to_have_count(0)
    assert len(answer.inner_text()) > len(short)
    height = page.locator(".quick-replies button").last.bounding_box()["height"]
    assert height >= 44
    assert violations(page) == []
    screenshot(page, "portal-elder-phone")

    page.reload()
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    expect(page.get_by_role("button", name=re.compile("长者模式"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("link", name="拨打政务服务热线 12345")).to_be_in_viewport()
    page.goto("/policies")
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    page.get_by_role("button", name=re.compile("长者模式")).click()
    page.reload()
    expect(page.locator("html")).not_to_have_class(re.compile(r"\belder\b"))


@pytest.mark.parametrize("viewport", [PHONE, None], ids=["phone", "desktop"])
def test_public_pages_pass_axe(stack, new_page, viewport):
    page = new_page(viewport) if viewport else new_page()
    open_chat(page)
    assert violations(page) == []
    for path in ("/policies", "/consultations", "/login"):
        page.goto(path)
        assert violations(page) == [], path
    page.goto("/consultations")
    page.get_by_role("link", name="阅读全文").first.click()
    assert violations(page) == [], page.url


@pytest.mark.parametrize("role, path", [
    ("operator", "/operator"),
    ("department", "/department"),
    ("staff", "/staff"),
])
def test_consoles_pass_axe(stack, new_page, role, path):
    number = stack.new_ticket(PUTUO_ENFORCEMENT, unique("渔港路的垃圾桶满了没人清运"))
    page = login(new_page(), stack, role)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    if role == "department":
        page.goto(f"/department/tickets/{number}")
        assert violations(page) == []


def test_keyboard_reaches_the_skip_link_and_the_chat(stack, new_page):
    page = new_page(PHONE)
    open_chat(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "输入消息":
            break
    expect(page.get_by_label("输入消息")).to_be_focused()
    page.keyboard.type("你好")
    page.keyboard.press("Enter")
    expect(page.locator(".msg-user").last).to_have_text("你好")


def test_favicon_is_served(stack, new_page):
    page = new_page()
    response = page.request.get("/favicon.ico")
    assert response.status == 200 and "svg" in response.headers["content-type"]
    page.goto("/")
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(icon).status == 200
