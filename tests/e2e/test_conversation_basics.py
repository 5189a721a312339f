"""Conversations through the real Rasa server and action server, on SQLite and PostgreSQL+Redis."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from bot.handoff import Handoff


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_greeting_says_what_the_assistant_can_do(stack):
    replies = stack.say(sender(), "你好")
    assert replies, "no reply to 你好"
    text = replies[0]["text"]
    assert "政策" in text and "投诉" in text
    titles = [b["title"] for b in replies[0].get("buttons", [])]
    assert {"政策咨询", "投诉求助", "查询进度"} <= set(titles)


def test_request_human_is_recorded_as_a_handoff(stack):
    citizen = sender()
    stack.say(citizen, "你好")
    text = stack.texts(citizen, "我要转人工客服")
    assert "人工" in text and "转接编号" in text
    with stack.db.session() as session:
        rows = session.execute(select(Handoff).where(Handoff.sender_id == citizen)).scalars().all()
    assert len(rows) == 1 and rows[0].status == "waiting"
    stack.say(citizen, "转人工")
    with stack.db.session() as session:
        again = session.execute(select(Handoff).where(Handoff.sender_id == citizen)).scalars().all()
    assert len(again) == 1, "asking twice must not queue the citizen twice"


def test_bot_challenge_and_goodbye(stack):
    citizen = sender()
    assert "机器人" in stack.texts(citizen, "你是机器人吗")
    assert "再见" in stack.texts(citizen, "好的再见")


def test_mixed_script_and_odd_input_never_crash(stack):
    citizen = sender()
    for message in ["APP登录不了 help me", "😀😀😀", "？？？", "a" * 3000, "<script>alert(1)</script>"]:
        replies = stack.say(citizen, message)
        assert replies, f"no reply to {message[:20]!r}"


def test_unclear_message_gets_two_stage_clarification(stack):
    citizen = sender()
    first = stack.say(citizen, "/nlu_fallback")
    assert "不太确定" in first[0]["text"]
    assert first[0]["buttons"][-1] == {"title": "都不是", "payload": "/out_of_scope"}
    second = stack.texts(citizen, "/out_of_scope")
    assert "换个说法" in second
    third = stack.say(citizen, "/nlu_fallback")
    assert "不太确定" in third[0]["text"]
    gave_up = stack.say(citizen, "/out_of_scope")
    assert "人工" in gave_up[0]["text"]
    assert any(b["payload"] == "/request_human" for b in gave_up[0]["buttons"])


def test_clarification_accepted_continues_with_the_chosen_meaning(stack):
    citizen = sender()
    stack.say(citizen, "/nlu_fallback")
    replies = stack.say(citizen, "/greet")
    assert "政策" in replies[0]["text"]
