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


def test_library_answer_cites_title_clause_and_doc_number(stack):
    citizen = f"policy-{uuid.uuid4().hex[:10]}"
    reply = stack.texts(citizen, "住房公积金管理中心受理提取申请后几天内作出决定")
    assert "3日内" in reply
    assert "来源：《住房公积金管理条例》" in reply and "第二十五条" in reply
    assert "国务院令第262号" in reply


def test_question_outside_the_library_says_so_and_offers_a_person(stack):
    citizen = f"policy-{uuid.uuid4().hex[:10]}"
    replies = stack.say(citizen, "政策里有没有规定明年元宵节普陀山放不放烟花")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "政策库里没有找到回答这个问题的政策文件" in text and "12345" in text
    assert "《" not in text, "no unrelated clause is offered"
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "提交咨询工单" in titles and "转人工" in titles


def test_answer_resting_on_scattered_specific_words_is_not_given_as_sure(stack):
    citizen = f"policy-{uuid.uuid4().hex[:10]}"
    # 负面清单 (第4条) and 保密审查 (第3条) are never said together: no clause answers both
    reply = stack.texts(citizen, "负面清单要不要保密审查")
    assert reply.startswith("这个问题我不太确定，下面这些内容可能相关")
    assert "来源" not in reply
