"""Consultation staff: group opinions, decide with reasons, draft; a reviewer approves; publish."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from bot.clock import LOCAL_TZ
from bot.consultation import local_date, submit_opinion
from bot.consultation.drafts import save_draft
from bot.consultation.forms import DraftForm
from bot.db import utcnow
from bot.hotspots.models import ALERTED, HotspotTopic
from tests.browser.conftest import ESCAPED_MARKUP, login, screenshot, unique

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DRAFT_TEXT = """舟山市道路停车管理办法（征求意见稿）
第一条 为了规范道路停车秩序，制定本办法。
第二条 道路停车首小时收费5元，之后每小时3元。
第三条 新能源汽车首小时免费停放。"""
OPINIONS = [
    ("第二条", "第二条收费标准太高了，首小时5元老百姓负担太重，建议降低收费。"),
    ("第二条", "道路停车收费太高，建议首小时收费降到3元以内，减轻市民负担。"),
    ("第二条", "停车收费标准偏高，希望降低第二条的收费，5元一小时太贵了。"),
    ("第三条", "反对新能源汽车免费停车，对燃油车车主不公平，停车位是公共资源。"),
    ("第一条", "建议增加关于停车秩序的条款：" + ESCAPED_MARKUP),
]


def closed_draft(stack) -> int:
    """A draft whose comment window ended yesterday, with opinions from inside the window."""
    today = local_date(utcnow())
    form = DraftForm(
        slug=f"browser-parking-{utcnow():%H%M%S%f}",
        title="舟山市道路停车管理办法（征求意见稿）",
        department="舟山市交通运输局",
        opens_on=today - timedelta(days=40),
        closes_on=today - timedelta(days=1),
        text=DRAFT_TEXT,
        status="open",
    )
    during = datetime.combine(today - timedelta(days=10), time(10), tzinfo=LOCAL_TZ)
    with stack.db.session() as session:
        draft, _ = save_draft(session, form, actor="staff:browser", now=during)
        for number, (clause, text) in enumerate(OPINIONS):
            submit_opinion(
                session, draft.id, clause, text, channel="web", sender_id=f"web-{number}", now=during
            )
        return draft.id


def decide_every_group(staff, outcome: str, reason: str) -> None:
    groups = staff.locator("[id^=group-]")
    for index in range(groups.count()):
        group = groups.nth(index)
        group.get_by_label("处理结果").select_option(label=outcome)
        group.get_by_label(re.compile("理由")).fill(reason)
        group.get_by_role("button", name="保存决定").click()
        expect(staff.get_by_role("status")).to_contain_text("处理决定已保存")


def test_staff_decide_a_reviewer_approves_and_the_summary_is_published(stack, new_page):
    draft_id = closed_draft(stack)
    staff = login(new_page(), stack, "staff")
    staff.get_by_role("link", name="舟山市道路停车管理办法（征求意见稿）").last.click()
    expect(staff).to_have_url(re.compile(rf"/staff/drafts/{draft_id}$"))
    staff.get_by_role("button", name="重新归组相似意见").click()
    expect(staff.get_by_role("status")).to_contain_text("已重新归组")
    groups = staff.locator("[id^=group-]")
    fee_group = groups.filter(has_text="首小时收费降到3元以内")
    expect(fee_group.locator("li")).to_have_count(3)
    order = groups.filter(has_text="建议增加关于停车秩序的条款")
    expect(order).to_have_count(1)
    assert staff.locator('.console img[src="x"]').count() == 0, "escaped markup is decoded, then stripped"
    assert staff.locator(".console b").count() == 0 and staff.title() != "XSS"
    screenshot(staff, "staff-grouped")

    decide_every_group(staff, "部分采纳", "收费标准将结合听证会意见统筹研究确定。")
    staff.get_by_role("button", name="起草采纳情况").click()
    expect(staff.get_by_role("status")).to_contain_text("等待另一位审核人员审核")

    reviewer = login(new_page(), stack, "reviewer")
    reviewer.goto(f"/staff/drafts/{draft_id}")
    for box in reviewer.get_by_role("group", name="保密审查").get_by_role("checkbox").all():
        box.check()
    reviewer.get_by_role("button", name="审核通过").click()
    expect(reviewer.get_by_role("status")).to_contain_text("已审核通过")
    reviewer.get_by_role("button", name="发布采纳情况").click()
    expect(reviewer.get_by_role("status")).to_contain_text("采纳情况已发布")
    screenshot(reviewer, "staff-published")

    citizen = new_page()
    citizen.goto(f"/consultations/{draft_id}/summary")
    expect(citizen.locator("body")).to_contain_text("收费标准将结合听证会意见统筹研究确定")
    assert citizen.locator('img[src="x"]').count() == 0


def test_staff_cannot_approve_a_summary(stack, new_page):
    draft_id = closed_draft(stack)
    staff = login(new_page(), stack, "staff")
    staff.goto(f"/staff/drafts/{draft_id}")
    csrf = staff.locator('meta[name="csrf-token"]').get_attribute("content")
    response = staff.request.post(f"/staff/drafts/{draft_id}/approve", form={"csrf_token": csrf})
    assert response.status == 403


def test_staff_see_open_alerts_per_district_with_the_nearest_clock(stack, new_page):
    now = utcnow()
    with stack.db.session() as session:
        for district, hours_left in (("嵊泗县", 3.5), ("嵊泗县", -1), ("岱山县", 20)):
            session.add(
                HotspotTopic(
                    title=unique(f"{district}浏览器测试话题"),
                    status=ALERTED,
                    district_name=district,
                    first_seen=now - timedelta(hours=2),
                    last_seen=now - timedelta(hours=1),
                    alert_at=now - timedelta(hours=1),
                    respond_by=now + timedelta(hours=hours_left),
                    messages=6,
                    citizens=6,
                    heat="[]",
                    updated_at=now,
                )
            )
    page = login(new_page(), stack, "staff")
    page.goto("/staff/hotspots")
    table = page.get_by_role("table", name="预警话题的属地分布")
    shengsi = table.get_by_role("row", name=re.compile("嵊泗县"))
    expect(shengsi).to_contain_text("已超时 1小时")
    expect(shengsi.get_by_role("cell").first).to_have_text(re.compile(r"^\s*2 个\s*$"))
    expect(table.get_by_role("row", name=re.compile("岱山县"))).to_contain_text("剩余 19小时")
    screenshot(page, "staff-hotspots-districts")
