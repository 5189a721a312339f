"""The consoles for people in a hurry: one ticket per operator form, topics instead of
"socketio", the department calling back, and staff deciding consultation groups explicitly."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from bot.audit import AuditEvent
from bot.tickets import service
from bot.tickets.models import Ticket
from bot.tickets.routing import RoutingResult
from tests.browser.axe import violations
from tests.browser.conftest import (
    DINGHAI_ENFORCEMENT,
    PHONE,
    PUTUO_ENFORCEMENT,
    login,
    open_chat,
    say,
    screenshot,
    unique,
)
from tests.browser.test_staff import closed_draft, decide_every_group

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def tickets_described(stack, description: str) -> list[Ticket]:
    with stack.db.session() as session:
        return list(
            session.execute(select(Ticket).where(Ticket.description == description)).scalars()
        )


def test_a_double_click_files_exactly_one_ticket_and_clears_the_form(stack, new_page):
    page = login(new_page(), stack, "operator")
    description = unique("普陀区沈家门渔港路的下水道堵了，污水漫到路上三天了")
    page.get_by_label(re.compile("市民所述")).fill(description)
    expect(page.get_by_label("承办单位")).not_to_have_value("")
    page.get_by_label("市民姓名").fill("王五")
    page.get_by_label("联系电话").fill("13900002222")
    page.get_by_role("button", name="创建工单").dblclick()

    result = page.locator("#ticket-result")
    expect(result).to_contain_text(re.compile(r"已创建工单 ZS\d{8}-\d{4}"))
    expect(result).to_contain_text("表单已清空")
    for field in ("市民所述", "市民姓名", "联系电话", "地点"):
        expect(page.get_by_label(re.compile(field))).to_have_value("")
    expect(page.get_by_label("承办单位")).to_have_value("")
    page.wait_for_timeout(1500)
    assert len(tickets_described(stack, description)) == 1
    screenshot(page, "operator-after-create")


def test_the_same_form_sent_twice_at_once_is_one_ticket(stack, new_page):
    page = login(new_page(), stack, "operator")
    key = page.locator("#ticket-form").get_attribute("data-key")
    description = unique("定海区解放路人行道上的井盖缺了一块")
    numbers = page.evaluate(
        """([key, description]) => {
             const csrf = document.querySelector('meta[name="csrf-token"]').content;
             const body = JSON.stringify({description, type: "求助", phone: "13900003333", key});
             const post = () => fetch("/operator/tickets", {method: "POST", body,
               headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}})
               .then(r => r.json());
             return Promise.all([post(), post(), post()]).then(all => all.map(t => t.number));
           }""",
        [key, description],
    )
    assert len(set(numbers)) == 1 and numbers[0].startswith("ZS")
    assert [t.number for t in tickets_described(stack, description)] == numbers[:1]
    refused = page.evaluate(
        """() => fetch("/operator/tickets", {method: "POST",
             body: JSON.stringify({description: "没有表单号的工单", type: "求助", phone: "13900003333"}),
             headers: {"Content-Type": "application/json",
                       "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content}})
             .then(r => r.status)"""
    )
    assert refused == 400


def test_a_policy_question_shows_answers_and_no_prefilled_ticket(stack, new_page):
    page = login(new_page(), stack, "operator")
    page.get_by_label(re.compile("市民所述")).fill("政策解读材料要和政策文件同步发布吗")
    expect(page.locator(".suggestion").first).to_contain_text("出处：")
    expect(page.locator("#routing-note")).to_contain_text("政策咨询")
    expect(page.get_by_label("承办单位")).to_have_value("")
    expect(page.get_by_label("分类")).to_have_value("")


def test_what_the_operator_typed_before_the_page_script_ran_is_looked_up(stack, new_page):
    """On a busy machine the page is drawn before its script runs: the words typed (or restored
    by the browser) in that moment get suggestions too, not a silently empty panel."""
    page = new_page()
    login(page, stack, "operator")
    held = []
    page.route("**/static/js/operator.js", lambda route: held.append(route))
    page.goto("/operator", wait_until="commit")
    page.get_by_label(re.compile("市民所述")).fill("政策解读材料要和政策文件同步发布吗")
    assert held, "the page asked for its script"
    page.unroute("**/static/js/operator.js")
    held[0].continue_()
    expect(page.locator(".suggestion").first).to_contain_text("出处：")
    expect(page.locator("#routing-note")).to_contain_text("政策咨询")


def test_queue_shows_the_topic_and_channel_and_the_transcript_reads_as_words(stack, new_page):
    citizen = new_page(PHONE)
    open_chat(citizen)
    answered = citizen.locator(".msg-bot").count()
    citizen.locator(".quick-replies").first.get_by_role("button", name="政策咨询").click()
    expect(citizen.locator(".msg-bot").nth(answered)).to_be_visible()
    answered = citizen.locator(".msg-bot").count()
    say(citizen, "政策解读材料要和政策文件同步发布吗")
    expect(citizen.locator(".msg-bot").nth(answered)).to_be_visible()
    say(citizen, "转人工")
    expect(citizen.locator(".chat-status")).to_have_text(re.compile("转接人工客服|人工客服已接入"))

    operator = login(new_page(), stack, "operator")
    item = operator.locator("#handoff-queue li").filter(has_text="政策解读材料要和政策文件同步").last
    expect(item).to_contain_text("话题：政策咨询")
    expect(item).to_contain_text("网站在线咨询")
    expect(operator.locator("#handoff-queue")).not_to_contain_text("socketio")
    item.get_by_role("button", name=re.compile("接入")).click()
    transcript = operator.locator("#transcript")
    expect(transcript).to_contain_text("（点击了按钮：政策咨询）")
    text = operator.locator("main").inner_text()
    assert not re.search(r"[0-9a-f]{16,}|citizen:|socketio", text)
    assert not re.search(r"/[a-z_]+", transcript.inner_text())
    screenshot(operator, "operator-transcript-readable")
    operator.get_by_role("button", name="结束对话，交还智能助手").click()


def test_department_calls_back_sees_duplicates_and_replies(stack, new_page):
    site = unique("沈家门渔港路1号工地")
    first = stack.new_ticket(PUTUO_ENFORCEMENT, f"{site}半夜还在打桩，吵得睡不着；时间：半夜", site)
    second = stack.new_ticket(PUTUO_ENFORCEMENT, f"{site}晚上打桩，噪音太大睡不着", site)
    other = stack.new_ticket(
        PUTUO_ENFORCEMENT, "东港新城的行道树被台风吹断了", unique("东港新城海天大道")
    )

    page = login(new_page(PHONE), stack, "department")
    page.goto(f"/department/tickets/{first}")
    expect(page.locator("#stated-time")).to_have_text("半夜")
    call = page.get_by_role("link", name="拨打市民电话 13812345678")
    expect(call).to_have_attribute("href", "tel:13812345678")
    duplicates = page.locator("#duplicates")
    expect(duplicates.get_by_role("link", name=second)).to_be_visible()
    expect(duplicates).not_to_contain_text(other)
    history = page.locator(".history")
    expect(history).to_contain_text("市民")
    expect(history).to_contain_text("系统自动分派")
    expect(history).not_to_contain_text("citizen:")
    screenshot(page, "department-callback-phone")

    page.get_by_role("button", name="签收").click()
    expect(page.get_by_role("status")).to_contain_text("已签收")
    page.get_by_label("答复市民（办结）").fill("已电话联系市民，责令工地夜间停止打桩。")
    page.get_by_role("button", name="答复并办结").click()
    expect(page.get_by_role("status")).to_contain_text("已办结")
    expect(history).to_contain_text(re.compile("承办人员 putuo-zf"))
    with stack.db.session() as session:
        views = session.execute(
            select(AuditEvent).where(
                AuditEvent.entity_id == first, AuditEvent.action == "ticket.phone_viewed"
            )
        ).scalars().all()
        session.execute(
            update(Ticket).where(Ticket.number == first).values(satisfaction="满意")
        )
    assert len(views) == 3 and {v.actor for v in views} == {"department:putuo-zf"}
    page.reload()
    expect(page.locator("#satisfaction")).to_contain_text("满意")

    page.get_by_role("link", name=second).click()
    expect(page.locator("#duplicates").get_by_role("link", name=first)).to_be_visible()


def test_a_helping_department_sees_the_phone_masked(stack, new_page):
    description = unique("临城新区的工地渣土车撒漏")
    routing = RoutingResult(
        text=description, type="投诉", category="city_management", category_name="综合行政执法",
        department_id=DINGHAI_ENFORCEMENT, co_department_ids=[PUTUO_ENFORCEMENT],
    )
    with stack.db.session() as session:
        number = service.create_ticket(
            session, routing, description=description, phone="13812349999", name="钱七"
        ).number
    page = login(new_page(), stack, "department")
    page.goto(f"/department/tickets/{number}")
    expect(page.locator("#citizen")).to_contain_text("138****9999")
    expect(page.locator("#citizen")).not_to_contain_text("13812349999")
    with stack.db.session() as session:
        viewed = session.execute(
            select(AuditEvent).where(
                AuditEvent.entity_id == number, AuditEvent.action == "ticket.phone_viewed"
            )
        ).scalars().all()
    assert viewed == []


def test_staff_choose_each_outcome_and_the_reviewer_previews_the_summary(stack, new_page):
    draft_id = closed_draft(stack)
    staff = login(new_page(), stack, "staff")
    staff.goto(f"/staff/drafts/{draft_id}")
    staff.get_by_role("button", name="重新归组相似意见").click()
    expect(staff.get_by_role("status")).to_contain_text("已重新归组")
    group = staff.locator("[id^=group-]").first
    expect(group.get_by_label("处理结果")).to_have_value("")

    group.get_by_label("处理结果").select_option(label="不予采纳")
    group.get_by_role("button", name="保存决定").click()
    expect(staff.get_by_role("alert")).to_contain_text("必须说明理由")
    expect(staff.locator("[id^=group-]").first.get_by_label("处理结果")).to_have_value("not_adopted")

    decide_every_group(staff, "部分采纳", "将结合听证会意见统筹研究确定。")
    staff.get_by_role("button", name="起草采纳情况").click()

    reviewer = login(new_page(), stack, "reviewer")
    reviewer.goto(f"/staff/drafts/{draft_id}")
    preview = reviewer.frame_locator("iframe.summary-preview")
    expect(preview.locator(".banner")).to_contain_text("内部预览")
    expect(preview.locator("body")).to_contain_text("将结合听证会意见统筹研究确定")
    screenshot(reviewer, "staff-summary-preview")
    assert violations(reviewer) == []
    for box in reviewer.get_by_role("group", name="保密审查").get_by_role("checkbox").all():
        box.check()
    reviewer.get_by_role("button", name="审核通过").click()
    expect(reviewer.get_by_role("status")).to_contain_text("已审核通过")
    reviewer.get_by_role("button", name="发布采纳情况").click()
    expect(reviewer.get_by_role("status")).to_contain_text("采纳情况已发布")

    citizen = new_page(PHONE)
    citizen.goto(f"/consultations/{draft_id}/summary")
    expect(citizen.get_by_role("navigation", name="主导航")).to_contain_text("征求意见")
    assert violations(citizen) == []


def test_a_citizen_comments_on_a_clause_from_the_draft_page(stack, new_page):
    page = new_page(PHONE)
    page.goto("/consultations")
    card = page.locator("section.card").first
    expect(card).to_contain_text(re.compile(r"还剩 \d+ 天截止|今天截止"))
    card.get_by_role("link", name="阅读全文").first.click()
    clause_link = page.get_by_role("link", name=re.compile("^对第二条提意见")).first
    clause_link.click()
    expect(page).to_have_url(re.compile(r"/\?say="))
    expect(page.get_by_label("输入消息")).to_have_value(re.compile("第二条提意见"))
    expect(page.locator(".chat-status")).to_have_text("在线")
    page.get_by_role("button", name="发送").click()
    expect(page.locator(".msg-bot").last).to_contain_text(re.compile("意见|第二条"))
    expect(page.locator(".msg-bot").last).not_to_contain_text("已取消")
    screenshot(page, "consultation-clause-comment-phone")
