"""Every publisher through the real web service: nothing is published without a review by
another person (先审查、后公开, 一事一审), and the register holds all six fields of each."""

from __future__ import annotations

import time
import uuid
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bot.accounts import User, principal_of
from bot.disclosure import service as disclosure
from bot.disclosure.rules import load_rules
from bot.policy.importer import Library, import_tree
from bot.policy.publication import pending_drafts, published_dir, submit_entry
from bot.publishing.models import RegisterRecord, ReviewItem
from bot.publishing.publishers import submit_hotspot_response, submit_policy
from bot.tickets.catalogue import Catalogue
from tests.browser.conftest import PHONE, PUTUO_ENFORCEMENT, login, screenshot, unique
from tests.conftest import PROJECT_ROOT
from tests.unit.disclosure_fixtures import apply

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
KNOWLEDGE = PROJECT_ROOT / "knowledge"


def _office(session):
    user = session.execute(select(User).where(User.username == "putuo-zf")).scalar_one()
    return principal_of(user)


def _disclosure_reply(stack) -> str:
    """An application answered by the 普陀 office: its reply waits for review (the hook)."""
    rules = load_rules(KNOWLEDGE)
    catalogue = Catalogue.load(KNOWLEDGE / "departments.yml")
    with stack.db.session() as session:
        office = _office(session)
        application = apply(
            session, rules, None, department_id=PUTUO_ENFORCEMENT,
            description=unique("渔港路夜间施工审批文件"), applicant_name="王小明",
        )  # fmt: skip
        disclosure.start(session, application.number, office)
        disclosure.reply(
            session, rules, application.number, office, reply_type="already_public",
            catalogue=catalogue, where="普陀区人民政府网站“政府信息公开”栏目",
        )  # fmt: skip
        return application.number


def _item_id(stack, kind: str, reference: str) -> int:
    with stack.db.session() as session:
        return session.execute(
            select(ReviewItem.id)
            .where(ReviewItem.kind == kind, ReviewItem.reference == reference)
            .order_by(ReviewItem.id.desc())
        ).scalars().first()  # fmt: skip


def _review_and_publish(reviewer: Page, staff: Page, item_id: int) -> str:
    reviewer.goto(f"/staff/review/{item_id}")
    csrf = reviewer.locator('input[name="csrf_token"]').first.input_value()
    unchecked = reviewer.request.post(f"/staff/review/{item_id}/approve", form={"csrf_token": csrf})
    assert unchecked.status == 400 and "保密审查未完成" in unchecked.text()
    for box in reviewer.get_by_role("group", name="保密审查").get_by_role("checkbox").all():
        box.check()
    reviewer.get_by_role("button", name="审查通过").click()
    expect(reviewer.get_by_role("status")).to_contain_text("审查通过")
    staff.goto(f"/staff/review/{item_id}")
    staff.get_by_label("政务微博").check()
    staff.get_by_role("button", name="发布并登记").click()
    expect(staff.get_by_role("status")).to_contain_text("已发布并登记")
    return staff.locator('a[href^="/staff/register/FB"]').inner_text()


def test_every_publisher_needs_another_persons_review(stack, new_page):
    number = _disclosure_reply(stack)
    policy_id = unique("zs-policy").replace(" ", "-")
    with stack.db.session() as session:
        submit_policy(session, policy_id, "舟山市海岛民宿管理办法", "第一条 为规范……",
                      "city.culture_tourism", "staff:staff-li")  # fmt: skip
        submit_policy(session, policy_id, "《舟山市海岛民宿管理办法》解读", "一、起草背景……",
                      "city.culture_tourism", "reviewer:reviewer-zhao",
                      interprets=policy_id)  # fmt: skip
        topic = SimpleNamespace(
            id=900001, title="沈家门夜排档噪声", responsible_id=PUTUO_ENFORCEMENT
        )
        response = SimpleNamespace(text="已约谈经营户，22时后停止外摆。", drafted_by="staff-li")
        submit_hotspot_response(session, response, topic)

    staff = login(new_page(), stack, "staff")
    staff.goto("/staff/scorecard")
    expect(staff.get_by_role("table", name="全市指标")).to_contain_text("按时签收率")
    staff.goto("/staff/scorecard?sort=signed_in_time&dir=asc")
    expect(staff.locator('#departments th[aria-sort="ascending"]')).to_contain_text("按时签收率")
    staff.goto("/staff/scorecard/records?key=overdue&part=numerator")
    expect(staff.get_by_role("heading", level=1)).to_contain_text("超期工单")
    assert staff.request.get("/staff/scorecard?month=2026-13").status == 400
    assert staff.request.get("/staff/scorecard/records?key=nope&part=numerator").status == 400
    staff.goto("/staff/scorecard")
    staff.get_by_role("button", name="送审本月全市指标").click()
    expect(staff.get_by_role("status")).to_contain_text("已送审")
    staff.goto("/staff/review")
    for title in ("依申请公开答复", "海岛民宿管理办法", "舆情回应", "政务公开考核指标"):
        expect(staff.locator("table")).to_contain_text(title)
    scorecard_item = int(staff.get_by_role("link", name="政务公开考核指标").first
                         .get_attribute("href").rsplit("/", 1)[1])  # fmt: skip
    staff.goto(f"/staff/review/{scorecard_item}")
    expect(staff.get_by_role("button", name="审查通过")).to_have_count(0)
    csrf = staff.locator('input[name="csrf_token"]').first.input_value()
    denied = staff.request.post(
        f"/staff/review/{scorecard_item}/approve", form={"csrf_token": csrf}
    )
    assert denied.status == 403
    early = staff.request.post(
        f"/staff/review/{scorecard_item}/publish", form={"csrf_token": csrf, "channel": "web"}
    )
    assert early.status == 400, "nothing is published before review"

    reviewer = login(new_page(PHONE), stack, "reviewer")
    interpretation = _item_id(stack, "policy_interpretation", f"policy:{policy_id}")
    reviewer.goto(f"/staff/review/{interpretation}")
    for box in reviewer.get_by_role("group", name="保密审查").get_by_role("checkbox").all():
        box.check()
    reviewer.get_by_role("button", name="审查通过").click()
    expect(reviewer.get_by_role("alert")).to_contain_text("起草人不能审查")

    records = {
        kind: _review_and_publish(reviewer, staff, _item_id(stack, kind, reference))
        for kind, reference in (
            ("disclosure_reply", number),
            ("policy", f"policy:{policy_id}"),
            ("hotspot_response", "hotspot:900001"),
        )
    }
    records["scorecard"] = _review_and_publish(reviewer, staff, scorecard_item)
    screenshot(reviewer, "register-review-phone")

    staff.goto("/staff/register")
    for record in records.values():
        expect(staff.locator("table")).to_contain_text(record)
    staff.goto(f"/staff/register/{records['disclosure_reply']}")
    facts = staff.locator("dl.facts")
    for text in ("putuo.city_management", "reviewer:reviewer-zhao", "staff:staff-li",
                 "政府网站、政务微博", "校验一致"):  # fmt: skip
        expect(facts).to_contain_text(text)
    expect(staff.locator("pre.content")).not_to_contain_text("王小明")
    csv = staff.request.get("/staff/register.csv?q=" + records["policy"])
    assert csv.status == 200 and records["policy"] in csv.text()

    citizen = new_page(PHONE)
    citizen.goto(f"/publications/{records['hotspot_response']}")
    expect(citizen.locator("pre.content")).to_contain_text("22时后停止外摆")
    citizen.goto("/scorecard")
    expect(citizen.locator("table")).to_contain_text("按时签收率")
    expect(citizen.locator("main")).to_contain_text(records["scorecard"])
    screenshot(citizen, "scorecard-public-phone")


def test_an_imported_policy_is_served_only_after_another_persons_review(stack, new_page, tmp_path):
    """`kb import` into the served library: a draft, invisible to citizens, until a reviewer who
    did not draft it approves it and it is published; then served and in the register."""
    policy_id = f"haidao-minsu-{uuid.uuid4().hex[:6]}"
    source = tmp_path / f"{policy_id}.md"
    source.write_text(
        "舟山市海岛民宿管理办法\n\n第一条 为规范海岛民宿经营，制定本办法。\n\n"
        "第二条 民宿经营者应当办理登记，房间数不超过14间。\n",
        encoding="utf-8",
    )
    settings = stack.running.settings
    with stack.db.session() as session:
        library = Library(settings.knowledge_dir / "policies", published_dir(settings.var_dir),
                          drafts=pending_drafts(session))  # fmt: skip
        [outcome] = import_tree(
            source, settings.knowledge_dir / "policies", library=library,
            submit=lambda mapping: submit_entry(session, mapping, drafter="kb-import:staff-li").id,
        )  # fmt: skip
    assert outcome.policy_id == policy_id and outcome.submitted
    citizen = new_page(PHONE)
    assert citizen.request.get(f"/policies/{policy_id}").status == 404, "a draft is not served"

    staff = login(new_page(), stack, "staff")
    reviewer = login(new_page(), stack, "reviewer")
    number = _review_and_publish(reviewer, staff, outcome.submitted)
    with stack.db.session() as session:
        record = session.execute(
            select(RegisterRecord).where(RegisterRecord.number == number)
        ).scalar_one()
        assert (record.kind, record.reference, record.version) == ("policy", f"policy:{policy_id}", 1)
        assert record.drafter == "kb-import:staff-li" and record.reviewer == "reviewer:reviewer-zhao"
        assert record.publisher == "staff:staff-li" and "14间" in record.content
    for _ in range(40):
        if citizen.request.get(f"/policies/{policy_id}").status == 200:
            break
        time.sleep(0.5)
    citizen.goto(f"/policies/{policy_id}")
    expect(citizen.locator("main")).to_contain_text("房间数不超过14间")
