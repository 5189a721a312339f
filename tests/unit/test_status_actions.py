"""The status-check and rating actions on recorded trackers, through the real ticket service and
lockout on a test database: a bare number asks for the digits, a wrong answer gets a retry, the
fifth locks with the 12345 hotline, an answered ticket asks for a rating that reopens it."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

import actions.status as status_actions
from actions.status import ActionCheckStatus, ActionGreet, ActionRateTicket
from bot.services import Services
from bot.tickets import service
from tests.unit.recorded import action, run, slot, slots_of, user
from tests.unit.test_tickets_lifecycle import DINGHAI_CLERK, catalogue, create  # noqa: F401


@pytest.fixture
def chat(monkeypatch, settings, db, catalogue):  # noqa: F811 - pytest fixture
    services = Services(dataclasses.replace(settings, status_check_attempts=3))
    services.__dict__.update(db=db, router=SimpleNamespace(catalogue=catalogue))
    monkeypatch.setattr(status_actions, "services", lambda: services)
    return db


def followups(returned: list) -> list[str]:
    return [e["name"] for e in returned if e.get("event") == "followup"]


def test_a_bare_number_asks_for_the_digits_then_a_wrong_answer_is_retried(chat):
    number = create(chat).number
    said, returned = run(ActionCheckStatus(), [user(number, "inform", ticket_no=number)])
    assert said == [] and followups(returned) == ["status_form"]
    assert slots_of(returned)["status_number"] == number

    asked = [user(number, "inform"), action("status_form"), slot("status_number", number)]
    said, returned = run(
        ActionCheckStatus(), asked + [user("0000", "inform"), slot("status_phone_last4", "0000")]
    )
    assert "还可以试 2 次" in said[0]["text"] and followups(returned) == ["status_form"]

    said, returned = run(
        ActionCheckStatus(), asked + [user("5678", "inform"), slot("status_phone_last4", "5678")]
    )
    assert said[0]["text"].startswith(f"工单 {number}：") and "承办单位" in said[0]["text"]


def test_too_many_wrong_answers_lock_and_name_the_hotline(chat):
    number = create(chat).number
    history = [user(number, "check_status"), slot("status_number", number)]
    for _ in range(2):
        run(ActionCheckStatus(), history + [slot("status_phone_last4", "0000")])
    said, returned = run(ActionCheckStatus(), history + [slot("status_phone_last4", "0000")])
    assert "12345" in said[0]["text"] and "暂停" in said[0]["text"]
    assert followups(returned) == [] and slots_of(returned)["status_number"] is None


def test_the_number_typed_wins_over_the_last_ticket_of_the_conversation(chat):
    older = create(chat, sender_id="citizen-1").number
    asked = create(chat, sender_id="citizen-1").number
    history = [slot("last_ticket_no", older), user(f"查询 {asked}", "check_status")]
    said, _ = run(ActionCheckStatus(), history)
    assert asked in said[0]["text"] and older not in said[0]["text"]


def test_an_answered_ticket_asks_for_a_rating_and_dissatisfaction_reopens_it(chat):
    number = create(chat, sender_id="citizen-1").number
    with chat.session() as session:
        service.sign(session, number, DINGHAI_CLERK)
        service.reply_and_close(session, number, DINGHAI_CLERK, reply="已修复井盖。")
    said, returned = run(ActionCheckStatus(), [user(number, "check_status", ticket_no=number)])
    assert "已修复井盖" in said[0]["text"]
    assert [b["title"] for b in said[1]["buttons"]] == ["满意", "基本满意", "不满意"]
    rated = [slot(e["name"], e["value"]) for e in returned if e.get("event") == "slot"]
    click = user("/rate_ticket", "rate_ticket", satisfaction="不满意", ticket_no=number)
    said, _ = run(ActionRateTicket(), rated + [click])
    assert "重新办理" in said[0]["text"]
    with chat.session() as session:
        ticket = service.get_ticket(session, number, DINGHAI_CLERK)
        assert (ticket.status, ticket.satisfaction) == ("dispatched", "不满意")


def test_a_stranger_cannot_rate_someone_elses_ticket(chat):
    number = create(chat, sender_id="citizen-1").number
    with chat.session() as session:
        service.sign(session, number, DINGHAI_CLERK)
        service.reply_and_close(session, number, DINGHAI_CLERK, reply="已修复井盖。")
    click = user("/rate_ticket", "rate_ticket", satisfaction="满意", ticket_no=number)
    said, _ = run(ActionRateTicket(), [click], sender="stranger")
    assert "无法记录评价" in said[0]["text"]
    with chat.session() as session:
        assert service.get_ticket(session, number, DINGHAI_CLERK).satisfaction is None


def test_a_rating_typed_after_the_closing_notice_finds_the_answered_ticket(chat):
    number = create(chat, sender_id="tg:7").number
    with chat.session() as session:
        service.sign(session, number, DINGHAI_CLERK)
        service.reply_and_close(session, number, DINGHAI_CLERK, reply="已修复井盖。")
    said, _ = run(
        ActionRateTicket(), [user("满意", "rate_ticket", satisfaction="满意")], sender="tg:7"
    )
    assert number in said[0]["text"] and "满意" in said[0]["text"]
    with chat.session() as session:
        ticket = service.get_ticket(session, number, DINGHAI_CLERK)
        assert (ticket.status, ticket.satisfaction) == ("visited", "满意")


def test_coming_back_to_an_answered_ticket_asks_for_the_rating(chat):
    number = create(chat, sender_id="web:back").number
    said, _ = run(ActionGreet(), [user("你好", "greet")], sender="web:back")
    assert [m.get("response") for m in said] == ["utter_greet"]
    with chat.session() as session:
        service.sign(session, number, DINGHAI_CLERK)
        service.reply_and_close(session, number, DINGHAI_CLERK, reply="已修复井盖。")
    said, returned = run(ActionGreet(), [user("你好", "greet")], sender="web:back")
    assert said[0]["response"] == "utter_greet" and number in said[1]["text"]
    assert [b["title"] for b in said[1]["buttons"]] == ["满意", "基本满意", "不满意"]
    assert slots_of(returned)["rating_ticket"] == number
