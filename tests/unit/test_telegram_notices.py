"""Notices to citizens on Telegram: a ticket answered, an adoption summary published."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from bot import notices
from bot.accounts import Principal
from bot.channels.telegram import deliver_notices
from bot.cli import main
from bot.config import Settings
from bot.consultation.models import Draft, Summary
from bot.notices import MAX_ATTEMPTS, Notice
from bot.tickets import service
from bot.tickets.routing import RoutingResult
from tests.telegram_standin import BotApiStandIn

DINGHAI = "dinghai.housing_construction"
CLERK = Principal(4, "dh", "department", DINGHAI)
COMPLAINT = RoutingResult(
    text="小区门口井盖坏了好几天，晚上很危险",
    type="投诉",
    category="housing_construction",
    category_name="住房和城乡建设",
    jurisdiction="dinghai",
    department_id=DINGHAI,
)


@pytest.fixture
def bot_api() -> BotApiStandIn:
    standin = BotApiStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def telegram_settings(settings: Settings, bot_api: BotApiStandIn) -> Settings:
    return dataclasses.replace(
        settings, telegram_token=bot_api.token, telegram_api_url=bot_api.base_url
    )


def answered_ticket(db, channel: str, sender: str, reply: str) -> str:
    with db.session() as session:
        ticket = service.create_ticket(
            session,
            COMPLAINT,
            description="小区门口井盖坏了好几天，晚上很危险",
            phone="13812345678",
            channel=channel,
            sender_id=sender,
        )
        number = ticket.number
    with db.session() as session:
        service.sign(session, number, CLERK)
    with db.session() as session:
        service.reply_and_close(session, number, CLERK, reply=reply)
    return number


def published_summary_notice(db, sender: str) -> int:
    with db.session() as session:
        draft = Draft(
            slug="fishing-subsidy",
            title="舟山市渔业补贴办法（征求意见稿）",
            department="市海洋与渔业局",
            opens_on=date(2026, 11, 1),
            closes_on=date(2026, 11, 30),
        )
        session.add(draft)
        session.flush()
        summary = Summary(
            draft_id=draft.id, version=1, content={}, content_hash="x", drafted_by="staff:li"
        )
        session.add(summary)
        session.flush()
        notices.enqueue(
            session,
            f"consultation:summary:{summary.id}:telegram:{sender}",
            "telegram",
            sender,
            "您对《舟山市渔业补贴办法》提的意见已有采纳情况，联系人张三 13900001111。",
        )
        return summary.id


async def test_answers_and_summaries_reach_telegram_once_and_masked(db, telegram_settings, bot_api):
    number = answered_ticket(
        db, "telegram", "telegram:42", "已修复井盖，如有问题请联系13812345678。"
    )
    answered_ticket(db, "web", "web:abc", "已修复。")
    published_summary_notice(db, "telegram:43")

    first = await deliver_notices(telegram_settings, db)
    assert first == notices.Delivery(sent=2, failed=0)
    sent = {int(call["chat_id"]): call["text"] for call in bot_api.calls_to("sendMessage")}
    assert set(sent) == {42, 43}
    assert number in sent[42] and "138****5678" in sent[42] and "13812345678" not in sent[42]
    assert "139****1111" in sent[43] and "张三" not in sent[43]

    assert await deliver_notices(telegram_settings, db) == notices.Delivery()
    assert len(bot_api.calls_to("sendMessage")) == 2
    with db.session() as session:
        statuses = {n.channel: n.status for n in session.execute(select(Notice)).scalars()}
    assert statuses == {"telegram": "sent", "web": "pending"}


async def test_a_refused_notice_is_retried_then_given_up(db, telegram_settings, bot_api):
    bot_api.blocked_chats.add(42)
    answered_ticket(db, "telegram", "telegram:42", "已修复。")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await deliver_notices(telegram_settings, db) == notices.Delivery(sent=0, failed=1)
        with db.session() as session:
            notice = session.execute(select(Notice).where(Notice.channel == "telegram")).scalar_one()
            assert notice.attempts == attempt
            assert "blocked" in notice.error
    assert notice.status == "failed"
    assert await deliver_notices(telegram_settings, db) == notices.Delivery()


def test_the_deliver_command_sends_pending_notices(
    db, telegram_settings, bot_api, monkeypatch, capsys
):
    answered_ticket(db, "telegram", "telegram:42", "已修复。")
    for name, value in telegram_settings.to_env().items():
        monkeypatch.setenv(name, value)
    assert main(["telegram", "deliver"]) == 0
    assert "已发送 1 条" in capsys.readouterr().out
    assert main(["telegram", "deliver"]) == 0
    assert "已发送 0 条" in capsys.readouterr().out
    assert len(bot_api.calls_to("sendMessage")) == 1
