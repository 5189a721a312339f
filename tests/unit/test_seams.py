"""The shared pieces every record kind stands on: clock, numbering and the notice outbox."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date, datetime, timezone

import pytest

from bot import calendar, clock, notices
from bot.clock import LOCAL_TZ
from bot.config import PROJECT_ROOT
from bot.numbering import allocate


def test_a_frozen_clock_is_seen_by_now_and_local_day():
    with clock.frozen(datetime(2026, 12, 6, 23, 30, tzinfo=LOCAL_TZ)) as moment:
        assert clock.now() == datetime(2026, 12, 6, 15, 30, tzinfo=timezone.utc) == moment
        assert clock.local_day() == date(2026, 12, 6)
    assert clock.now() != moment
    assert clock.now().tzinfo is timezone.utc


def test_naive_times_are_utc_when_stored_and_local_when_typed():
    naive = datetime(2026, 12, 6, 20, 0)
    assert clock.local(naive) == datetime(2026, 12, 7, 4, 0, tzinfo=LOCAL_TZ)
    assert clock.as_local(naive) == datetime(2026, 12, 6, 20, 0, tzinfo=LOCAL_TZ)
    assert clock.format_cn(naive) == "2026年12月07日 04:00"


def test_numbers_run_per_series_and_local_day(db):
    late_evening_utc = datetime(2026, 12, 6, 16, 30, tzinfo=timezone.utc)  # 00:30 on the 7th
    with db.session() as session:
        assert allocate(session, "ZS", datetime(2026, 12, 6, 9, 0, tzinfo=LOCAL_TZ)) == (
            "ZS20261206-0001"
        )
        assert allocate(session, "ZS", datetime(2026, 12, 6, 23, 0, tzinfo=LOCAL_TZ)) == (
            "ZS20261206-0002"
        )
        assert allocate(session, "YJ", datetime(2026, 12, 6, 9, 0, tzinfo=LOCAL_TZ)) == (
            "YJ20261206-0001"
        )
        assert allocate(session, "ZS", late_evening_utc) == "ZS20261207-0001"
        with pytest.raises(ValueError):
            allocate(session, "", late_evening_utc)


def test_a_notice_is_queued_once_per_cause(db):
    with db.session() as session:
        assert notices.enqueue(session, "ticket:1:replied", "telegram", "telegram:1", "已办结")
        assert not notices.enqueue(session, "ticket:1:replied", "telegram", "telegram:1", "又一次")
        assert [n.message for n in notices.pending(session, "telegram")] == ["已办结"]
        assert notices.pending(session, "wechat") == []


async def test_a_registered_channel_delivers_masked_and_marks_sent(db, settings, monkeypatch):
    monkeypatch.setattr(notices, "_channels", {})
    sent = []

    @asynccontextmanager
    async def open_sender(_settings):
        async def send(recipient: str, text: str) -> None:
            if recipient == "refuses":
                raise notices.NotDelivered("blocked")
            sent.append((recipient, text))

        yield send

    notices.register_channel("test-channel", open_sender)
    with db.session() as session:
        notices.enqueue(session, "a", "test-channel", "someone", "请回电 13812345678")
        notices.enqueue(session, "b", "test-channel", "refuses", "你好")
    delivery = await notices.deliver(settings, db, "test-channel")
    assert delivery == notices.Delivery(sent=1, failed=1)
    assert sent == [("someone", "请回电 138****5678")]
    assert await notices.deliver(settings, db, "test-channel") == notices.Delivery(failed=1)
    with db.session() as session:
        assert [n.recipient for n in notices.pending(session, "test-channel")] == ["refuses"]
    with pytest.raises(KeyError):
        await notices.deliver(settings, db, "carrier-pigeon")


def test_twenty_working_days_across_the_spring_festival(monkeypatch):
    """依申请公开: answered within 20 working days; 2026's Spring Festival is Feb 15-23, with the
    Saturdays Feb 14 and Feb 28 worked (调休)."""
    monkeypatch.setenv("ZS_KNOWLEDGE_DIR", str(PROJECT_ROOT / "knowledge"))
    calendar.load_policy.cache_clear()
    working = calendar.working_calendar()
    received = datetime(2026, 2, 10, 15, 0, tzinfo=LOCAL_TZ)
    due = working.due_after_working_days(received, 20)
    assert due == datetime(2026, 3, 16, 17, 30, tzinfo=LOCAL_TZ)
    assert working.working_days_between(received.date(), due.date()) == 20
    assert working.working_days_between(due.date(), received.date()) == 0
