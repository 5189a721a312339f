"""Logging in and out: cookies, the login rate limit, and where each role lands."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bot.accounts import create_user
from tests.browser.conftest import PASSWORD, login

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

HOMES = {"operator": "/operator", "department": "/department", "staff": "/staff", "reviewer": "/staff"}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_console(stack, new_page, role):
    page = login(new_page(), stack, role)
    expect(page).to_have_url(re.compile(re.escape(HOMES[role]) + "$"))


def test_session_cookie_is_httponly_and_logout_ends_it(stack, new_page):
    page = login(new_page(), stack, "operator")
    cookie = next(c for c in page.context.cookies() if c["name"] == "zs_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("zs_session") == -1

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.context.add_cookies([cookie])
    page.goto("/operator")
    expect(page).to_have_url(re.compile(r"/login\?next=/operator$"))


def test_five_wrong_passwords_lock_the_login_for_a_while(stack, new_page):
    with stack.db.session() as session:
        create_user(session, username="locked-out", password=PASSWORD, role="operator")
    page = new_page()
    for _ in range(5):
        page.goto("/login")
        page.get_by_label("用户名").fill("locked-out")
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")
    page.goto("/login")
    page.get_by_label("用户名").fill("locked-out")
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="登录").click()
    assert answer.value.status == 429
    expect(page.get_by_role("alert")).to_contain_text("15分钟后再试")


def test_login_form_without_its_token_is_refused(stack, new_page):
    page = new_page()
    response = page.request.post(
        "/login", form={"username": stack.username("operator"), "password": PASSWORD}
    )
    assert response.status == 403
