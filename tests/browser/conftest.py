"""The real stack (Rasa, action server, our web service on SQLite) driven by headless Chromium.

One stack per session with an account for each role; each test gets fresh browser contexts.
Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from bot.accounts import create_user
from bot.localstack import LocalStack, start_stack
from bot.model import ensure_model
from bot.tickets import service
from bot.tickets.routing import RoutingResult
from bot.web import identity

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "browser-test-pass"
PUTUO_ENFORCEMENT = "putuo.city_management"
DINGHAI_ENFORCEMENT = "dinghai.city_management"
ACCOUNTS = {
    "operator": ("op-wang", "operator", None),
    "department": ("putuo-zf", "department", PUTUO_ENFORCEMENT),
    "other_department": ("dinghai-zf", "department", DINGHAI_ENFORCEMENT),
    "staff": ("staff-li", "staff", None),
    "reviewer": ("reviewer-zhao", "reviewer", None),
}

expect.set_options(timeout=20_000)


@dataclasses.dataclass
class Stack:
    running: LocalStack

    @property
    def url(self) -> str:
        return self.running.web_url

    @property
    def db(self):
        return self.running.db

    def username(self, role: str) -> str:
        return ACCOUNTS[role][0]

    def new_ticket(self, department_id: str, description: str, location: str = "") -> str:
        """A complaint dispatched to `department_id`, as the hotline would have created it."""
        routing = RoutingResult(
            text=description,
            type="投诉",
            category="city_management",
            category_name="综合行政执法",
            department_id=department_id,
            location=location or None,
        )
        with self.db.session() as session:
            return service.create_ticket(
                session, routing, description=description, phone="13812345678", name="张三"
            ).number


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Iterator[Stack]:
    ensure_model()
    running = start_stack("sqlite", tmp_path_factory.mktemp("browser-stack"))
    try:
        with running.db.session() as session:
            for username, role, department in ACCOUNTS.values():
                create_user(
                    session, username=username, password=PASSWORD, role=role,
                    department_id=department,
                )
        yield Stack(running)
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, stack: Stack) -> Iterator[Callable[..., Page]]:
    """Pages in their own contexts (separate cookies), closed after the test."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict = DESKTOP) -> Page:
        context = browser.new_context(base_url=stack.url, viewport=viewport, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: pytest.fail(f"unexpected dialog: {dialog.message}"))
        return page

    yield make
    for context in contexts:
        context.close()


def login(page: Page, stack: Stack, role: str) -> Page:
    page.goto("/login")
    page.get_by_label("用户名").fill(stack.username(role))
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    return page


def open_chat(page: Page) -> None:
    """The portal with the assistant's greeting shown and the chat connected."""
    page.goto("/")
    expect(page.locator(".msg-bot").first).to_contain_text("舟山市政务公开智能助手")
    expect(page.locator(".chat-status")).to_have_text("在线")


def chat_sender(page: Page, stack: Stack) -> str:
    """The conversation id the server signed into this page's chat cookie."""
    cookie = next(c for c in page.context.cookies() if c["name"] == identity.COOKIE)
    sender = identity.conversation_of(stack.running.settings.secret_key, cookie["value"])
    assert sender and sender.startswith("portal:")
    return sender


def say(page: Page, text: str) -> None:
    page.get_by_label("输入消息").fill(text)
    page.get_by_role("button", name="发送").click()


def screenshot(page: Page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def unique(text: str) -> str:
    """`text` with a marker that makes it findable among other tests' data."""
    return f"{text}（{uuid.uuid4().hex[:6]}）"


MARKUP = '<img src="x" onerror="document.title=\'XSS\'"><b>加粗</b>'
"""Markup a citizen might type: it must show as these characters and never become elements."""
ESCAPED_MARKUP = MARKUP.replace("<", "&lt;").replace(">", "&gt;")
"""The same typed as entities: text cleaning strips tags, then unescapes, so this is stored as
real markup in tickets and opinions, which is what the consoles must still show as text."""


def assert_markup_is_text(page: Page, scope: str) -> None:
    """The literal markup is visible inside `scope` and no element was made from it."""
    expect(page.locator(scope).get_by_text(re.compile(re.escape('<img src="x"')))).not_to_have_count(0)
    assert page.locator(f'{scope} img[src="x"]').count() == 0
    assert page.locator(f"{scope} b").count() == 0
    assert page.title() != "XSS"
