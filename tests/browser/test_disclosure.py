"""依申请公开 in the browser: a citizen applies on a phone, the office answers, the citizen
reads the 告知书 by number; the ID number is never shown in full."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from bot.disclosure.models import DisclosureApplication
from tests.browser.conftest import PHONE, login, screenshot, unique
from tests.unit.disclosure_fixtures import resident_id

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ID_NUMBER = resident_id("33090319850612002")


def test_apply_answer_and_read_the_notice(stack, new_page):
    description = unique("沈家门渔港路2026年夜间施工审批文件")
    page = new_page(PHONE)
    page.goto("/disclosure")
    page.get_by_label("申请人类型").select_option("自然人")
    page.get_by_label("姓名或名称").fill("王小明")
    page.get_by_label("证件号码").fill(ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"))
    page.get_by_label("联系电话").fill("13905807788")
    page.get_by_label("所需政府信息").fill(description)
    page.get_by_label("向哪个机关申请").fill("普陀区综合行政执法局")
    page.get_by_label("获取信息的方式").select_option("自行领取")
    page.get_by_role("button", name="确认提交申请").click()
    expect(page.get_by_role("alert").first).to_contain_text("校验位")
    with stack.db.session() as session:
        stored = session.execute(
            select(DisclosureApplication).where(DisclosureApplication.description == description)
        ).all()
    assert stored == [], "an invalid application stores nothing"

    page.get_by_label("证件号码").fill(ID_NUMBER)
    page.get_by_role("button", name="确认提交申请").click()
    number = page.locator("#application-number").inner_text()
    expect(page.locator("#due-at")).to_contain_text("前")
    screenshot(page, "disclosure-applied-phone")
    page.go_back()
    page.get_by_label("证件号码").fill(ID_NUMBER)
    page.get_by_role("button", name="确认提交申请").click()
    expect(page.locator("#application-number")).to_have_text(number)

    office = login(new_page(), stack, "department")
    office.goto("/department/disclosure")
    row = office.locator(f'tr[data-number="{number}"]')
    expect(row).to_contain_text("20 个工作日")
    row.get_by_role("link", name=number).click()
    expect(office.locator("#id-number")).to_have_text(ID_NUMBER[:2] + "*" * 14 + ID_NUMBER[-2:])
    assert ID_NUMBER not in office.content()
    office.get_by_role("button", name="开始办理").click()
    expect(office.get_by_role("status")).to_contain_text("已开始办理")
    office.get_by_label("答复类型").select_option(label="已主动公开")
    office.get_by_role("button", name="生成告知书并答复").click()
    expect(office.get_by_role("alert")).to_contain_text("获取途径")
    office.get_by_label("答复类型").select_option(label="已主动公开")
    office.get_by_label("获取途径").fill("普陀区人民政府网站“政府信息公开”栏目")
    office.get_by_role("button", name="生成告知书并答复").click()
    expect(office.get_by_role("status")).to_contain_text("已答复")
    expect(office.locator("#document")).to_contain_text("第三十六条第（一）项")

    page.goto("/disclosure/status")
    page.get_by_label("申请编号").fill(number)
    page.get_by_label("联系电话后四位").fill("0000")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("不一致")
    page.get_by_label("申请编号").fill(number)
    page.get_by_label("联系电话后四位").fill("7788")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#status-result")).to_contain_text("已答复")
    expect(page.locator("#status-result")).to_contain_text("普陀区人民政府网站")
    screenshot(page, "disclosure-status-phone")


def test_staff_see_every_clock(stack, new_page):
    page = login(new_page(), stack, "operator")
    page.get_by_role("link", name="依申请公开").click()
    expect(page.get_by_role("heading", name="依申请公开时限")).to_be_visible()
    expect(page.locator("#disclosure-table")).to_be_visible()
