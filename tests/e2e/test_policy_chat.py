"""Policy questions through the real Rasa server and action server."""

from __future__ import annotations

import uuid


def test_policy_answer_quotes_its_source(stack):
    citizen = f"policy-{uuid.uuid4().hex[:10]}"
    reply = stack.texts(citizen, "政策文件出台以后，解读材料要多久之内发布？")
    assert "来源" in reply and "舟山市全面推进政务公开实施细则" in reply


def test_follow_up_uses_the_policy_in_context(stack):
    citizen = f"policy-{uuid.uuid4().hex[:10]}"
    stack.texts(citizen, "一把手要不要亲自解读政策")
    follow = stack.texts(citizen, "具体是哪一条？")
    assert "出自《舟山市全面推进政务公开实施细则》" in follow


def test_button_without_question_asks_for_one(stack):
    citizen = f"policy-{uuid.uuid4().hex[:10]}"
    assert "政策问题" in stack.texts(citizen, "/ask_policy")
