"""The journeys of issue 13 through the real services, at the real current date: giving an
opinion without naming a draft (with 0, 1 and several drafts open), checking a status by a bare
number, retrying and being locked out, rating a closed ticket, and meaningless input."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.accounts import Principal
from bot.clock import local
from bot.consultation.models import Draft
from bot.db import utcnow
from bot.tickets import service
from bot.tickets.models import Ticket

OPINION_ASKS = ["我想对正在征求意见的文件提点意见", "/give_opinion"]


def sender(kind: str = "journey") -> str:
    return f"{kind}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def drafts_open(stack):
    """Set how many public drafts are open today (0, 1, 2); the windows are put back after."""
    with stack.db.session() as session:
        saved = {d.id: (d.opens_on, d.closes_on) for d in session.execute(select(Draft)).scalars()}

    def open_now(count: int) -> list[int]:
        today = local(utcnow()).date()
        with stack.db.session() as session:
            drafts = [
                d
                for d in session.execute(select(Draft).order_by(Draft.id)).scalars()
                if d.is_public
            ]
            assert len(drafts) >= count
            for index, draft in enumerate(drafts):
                if index < count:
                    draft.opens_on, draft.closes_on = (
                        today - timedelta(days=10),
                        today + timedelta(days=20),
                    )
                else:
                    draft.opens_on, draft.closes_on = (
                        today - timedelta(days=60),
                        today - timedelta(days=30),
                    )
            return [d.id for d in drafts[:count]]

    yield open_now
    with stack.db.session() as session:
        for draft_id, (opens_on, closes_on) in saved.items():
            draft = session.get(Draft, draft_id)
            draft.opens_on, draft.closes_on = opens_on, closes_on


@pytest.mark.parametrize("ask", OPINION_ASKS)
def test_an_opinion_without_naming_a_draft_with_several_open(stack, drafts_open, ask):
    ids = drafts_open(2)
    citizen = sender("opinion")
    listing = stack.say(citizen, ask)
    assert "已取消" not in listing[0]["text"]
    assert sorted(b["payload"] for b in listing[0]["buttons"]) == sorted(str(i) for i in ids)
    clauses = stack.say(citizen, str(ids[0]))
    titles = [b["title"] for b in clauses[0]["buttons"]]
    assert "哪一条" in clauses[0]["text"] and f"/consultations/{ids[0]}" in clauses[0]["text"]
    assert all(len(t) > 4 for t in titles[1:]), titles
    assert "意见和理由" in stack.texts(citizen, clauses[0]["buttons"][1]["payload"])
    assert "姓名" in stack.texts(citizen, "这一条的收费标准太高了，建议降低一半，并且夜间免费。")
    assert "请确认您的意见" in stack.texts(citizen, "不用")
    done = stack.texts(citizen, "/affirm")
    assert re.search(r"YJ\d{8}-\d{4}", done), done


def test_an_opinion_with_only_one_draft_open_takes_it(stack, drafts_open):
    (only,) = drafts_open(1)
    citizen = sender("opinion")
    reply = stack.texts(citizen, "/give_opinion")
    assert "目前正在征求意见的是" in reply and f"/consultations/{only}" in reply
    assert "哪一条" in reply and "已取消" not in reply


def test_an_opinion_with_nothing_open_says_so_with_the_list(stack, drafts_open):
    drafts_open(0)
    reply = stack.texts(sender("opinion"), "我想对正在征求意见的文件提点意见")
    assert "目前没有正在公开征求意见的文件" in reply and "/consultations" in reply
    assert "已取消" not in reply, "nothing was started, so nothing is cancelled"


def test_an_opinion_today_with_the_drafts_as_shipped(stack):
    reply = stack.say(sender("opinion"), "/give_opinion")
    assert reply and "已取消" not in reply[0]["text"]


def file_complaint(stack, phone: str = "13957001234") -> tuple[str, str]:
    owner = sender("owner")
    stack.say(owner, "定海区解放路的下水道堵了，污水都漫到路上了，已经三天了")
    stack.say(owner, phone)
    done = stack.texts(owner, "/affirm")
    number = re.search(r"ZS\d{8}-\d{4}", done).group(0)
    return owner, number


def test_a_bare_number_is_a_status_check_of_exactly_that_ticket(stack):
    _, first = file_complaint(stack)
    _, second = file_complaint(stack)
    stranger = sender("stranger")
    asked = stack.texts(stranger, second)
    assert "后四位" in asked and "哪里" not in asked
    shown = stack.texts(stranger, "1234")
    assert second in shown and first not in shown and "承办单位" in shown
    other = sender("stranger")
    assert "后四位" in stack.texts(other, f"查询 {first}")
    assert first in stack.texts(other, "1234")


def test_a_status_question_inside_the_complaint_form_is_not_stored(stack):
    _, number = file_complaint(stack)
    citizen = sender("confused")
    asked = stack.texts(citizen, "我要投诉")
    assert "发生了什么" in asked
    reply = stack.texts(citizen, "不是，我是要查这个工单的进度")
    assert "工单号" in reply
    assert stack.tracker(citizen)["slots"]["complaint_text"] is None
    assert "后四位" in stack.texts(citizen, number)


def test_wrong_digits_get_a_retry_then_five_lock_and_send_to_12345(stack):
    _, number = file_complaint(stack)
    citizen = sender("guesser")
    stack.texts(citizen, number)
    assert "还可以试 4 次" in stack.texts(citizen, "0000")
    assert "承办单位" in stack.texts(citizen, "1234"), "the right digits after a wrong try work"
    _, locked = file_complaint(stack)
    guesser = sender("guesser")
    stack.texts(guesser, locked)
    replies = [stack.texts(guesser, f"{1000 + i}") for i in range(5)]
    assert "12345" in replies[-1] and "暂停" in replies[-1]
    again = sender("guesser")
    assert "暂停" in stack.texts(again, locked), "the ticket stays locked for other senders too"
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == locked)).scalar_one()
        assert ticket.status == "dispatched", "nothing about the ticket changed"


def test_a_citizen_rates_a_closed_ticket_and_dissatisfaction_reopens_it(stack):
    owner, number = file_complaint(stack)
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        clerk = Principal(0, "clerk", "department", ticket.department_id)
        service.sign(session, number, clerk)
        service.reply_and_close(session, number, clerk, reply="已疏通下水道。")
    welcome = stack.say(owner, "你好")
    assert number in welcome[-1]["text"] and len(welcome[-1]["buttons"]) == 3, "asked on return"
    status = stack.say(owner, number)
    assert "已疏通下水道" in status[0]["text"]
    rating = status[-1]
    assert [b["title"] for b in rating["buttons"]] == ["满意", "基本满意", "不满意"]
    reopened = stack.texts(owner, rating["buttons"][2]["payload"])
    assert "重新办理" in reopened
    with stack.db.session() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        assert (ticket.status, ticket.satisfaction, ticket.reopen_count) == (
            "dispatched",
            "不满意",
            1,
        )
        assert service.history(session, number)[-1].action == "ticket.rate_reopen"


@pytest.mark.parametrize("message", ["😀😀😀", "asdfghjkl", "？？？", "qwertyuiop"])
def test_meaningless_input_gets_not_understood_with_the_menu(stack, message):
    replies = stack.say(sender("noise"), message)
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "没看懂" in replies[0]["text"]
    assert "结束对话" not in titles and "表示感谢" not in titles
    assert "查询进度" in titles
