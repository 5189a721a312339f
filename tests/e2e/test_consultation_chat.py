"""The whole consultation loop: a citizen comments on a clause through the real Rasa server, staff
decide, a reviewer approves, the summary is published, and the citizen asks what became of it."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.accounts import create_user, principal_of
from bot.consultation import (
    approve_summary,
    decide_opinion,
    draft_summary,
    group_opinions,
    publish_summary,
)
from bot.consultation.models import Draft, Opinion
from bot.publishing import full_checklist


def test_citizen_comments_on_a_clause_and_later_learns_the_decision(stack):
    citizen = f"opinion-{uuid.uuid4().hex[:10]}"
    listing = stack.say(citizen, "我想对停车管理办法提点意见")
    first = listing[0]["text"]
    assert "哪一条" in first, "the draft named in the message is picked without asking"
    assert "意见和理由" in stack.texts(citizen, "第三条")
    asked = stack.texts(citizen, "夜间路边停车应该免费，晚上八点以后车位大量空着，收费没有道理。")
    assert "姓名" in asked
    confirm = stack.say(citizen, "不用")
    assert "请确认您的意见" in confirm[0]["text"] and "第三条" in confirm[0]["text"]
    done = stack.texts(citizen, "/affirm")
    receipt = re.search(r"YJ\d{8}-\d{4}", done).group(0)
    stack.say(citizen, "/affirm")

    with stack.db.session() as session:
        opinions = (
            session.execute(select(Opinion).where(Opinion.sender_id == citizen)).scalars().all()
        )
        assert len(opinions) == 1 and opinions[0].receipt_no == receipt
        draft = session.get(Draft, opinions[0].draft_id)
        after_close = datetime.combine(
            draft.closes_on + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc
        ) + timedelta(hours=2)
        tag = uuid.uuid4().hex[:6]
        staff, _ = create_user(
            session, username=f"staff-{tag}", password="staff-pass-1", role="staff"
        )
        reviewer, _ = create_user(
            session, username=f"reviewer-{tag}", password="review-pass-1", role="reviewer"
        )
        staff, reviewer = principal_of(staff), principal_of(reviewer)
        draft_id = draft.id

    pending = stack.texts(citizen, f"我的意见{receipt}采纳了吗")
    assert receipt in pending and "不予采纳" not in pending

    with stack.db.session() as session:
        group_opinions(session, draft_id, actor=staff, now=after_close)
    with stack.db.session() as session:
        decide_opinion(
            session,
            receipt,
            "not_adopted",
            "夜间免费会导致车辆长期占位，拟实行夜间优惠费率",
            actor=staff,
            now=after_close,
        )
        for other in session.execute(
            select(Opinion).where(Opinion.draft_id == draft_id, Opinion.receipt_no != receipt)
        ).scalars():
            decide_opinion(session, other.receipt_no, "adopted", "", actor=staff, now=after_close)
    with stack.db.session() as session:
        draft_summary(session, draft_id, actor=staff, now=after_close)
    with stack.db.session() as session:
        approve_summary(
            session, draft_id, actor=reviewer, checklist=full_checklist(), now=after_close
        )
    with stack.db.session() as session:
        publish_summary(session, draft_id, actor=reviewer, now=after_close)

    answer = stack.texts(citizen, f"查一下回执号{receipt}")
    assert "不予采纳" in answer and "夜间优惠费率" in answer
