"""Submitting opinions: receipts, idempotency, comment windows, validation, look-up before publishing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot import audit
from bot.consultation import (
    ConsultationError,
    NotFound,
    lookup_opinion,
    opinions_of,
    submit_opinion,
)
from bot.consultation.models import Draft, Opinion
from tests.unit.consultation_fixtures import NOW, PARKING

pytest_plugins = ("tests.unit.consultation_fixtures",)

TEXT = "建议把码头短时停车的免费时间延长到30分钟。"


def test_receipts_count_per_local_day(db, synced):
    draft_id = synced[PARKING]
    evening_utc = datetime(2026, 11, 27, 17, 0, tzinfo=timezone.utc)
    with db.session() as session:
        first = submit_opinion(session, draft_id, "第十二条", TEXT, now=NOW)
        second = submit_opinion(
            session, draft_id, None, "总体赞成，希望尽快实施这个办法。", now=NOW
        )
        next_day = submit_opinion(session, draft_id, "12", TEXT, now=evening_utc)
    assert (first.receipt_no, second.receipt_no) == ("YJ20261127-0001", "YJ20261127-0002")
    assert next_day.receipt_no == "YJ20261128-0001", "01:00 in Beijing is already the 28th"
    assert first.clause_label == "第十二条" and second.clause_label is None
    assert "YJ20261127-0001" in first.message


def test_retried_submission_returns_the_same_receipt(db, synced):
    draft_id = synced[PARKING]
    with db.session() as session:
        first = submit_opinion(
            session, draft_id, "第十二条", TEXT, idempotency_key="tg:42", now=NOW
        )
    with db.session() as session:
        retry = submit_opinion(
            session,
            draft_id,
            "第十二条",
            TEXT,
            idempotency_key="tg:42",
            now=NOW + timedelta(seconds=5),
        )
        count = session.execute(select(func.count(Opinion.id))).scalar_one()
    assert retry.receipt_no == first.receipt_no and retry.replayed and not first.replayed
    assert count == 1


def test_opinions_only_within_the_window(db, synced):
    with db.session() as session:
        waste = session.execute(select(Draft).where(Draft.slug.like("island-waste%"))).scalar_one()
        with pytest.raises(ConsultationError) as closed:
            submit_opinion(session, waste.id, None, "建议小岛垃圾每天收集两次。", now=NOW)
        assert "2026年09月01日至2026年10月10日" in str(closed.value) and "已经结束" in str(
            closed.value
        )
        early = datetime(2026, 11, 10, tzinfo=timezone.utc)
        with pytest.raises(ConsultationError, match="尚未开始"):
            submit_opinion(session, synced[PARKING], None, "建议小岛垃圾每天收集两次。", now=early)
        assert session.execute(select(func.count(Opinion.id))).scalar_one() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "太贵了"}, "至少10个字"),
        ({"text": "<b> </b>😀😀😀😀😀😀😀😀😀😀"}, "至少10个字"),
        ({"text": "很" * 2001}, "不能超过2000字"),
        ({"named": True, "name": ""}, "请填写姓名"),
        ({"phone": "12345"}, "联系电话格式不正确"),
    ],
)
def test_invalid_opinions_are_refused(db, synced, fields, message):
    arguments = {"text": TEXT, **fields}
    with db.session() as session, pytest.raises(ConsultationError, match=message):
        submit_opinion(session, synced[PARKING], "第十二条", now=NOW, **arguments)


def test_length_limits_count_cleaned_text(db, synced):
    with db.session() as session:
        assert submit_opinion(session, synced[PARKING], None, "很" * 2000, now=NOW).receipt_no
        assert submit_opinion(session, synced[PARKING], None, "  十个字的意见正好够了  ", now=NOW)


def test_unknown_clause_or_draft(db, synced):
    with db.session() as session:
        with pytest.raises(NotFound, match="没有找到“第30条”"):
            submit_opinion(session, synced[PARKING], "第30条", TEXT, now=NOW)
        with pytest.raises(NotFound):
            submit_opinion(session, 999, None, TEXT, now=NOW)
        with pytest.raises(NotFound, match="回执号"):
            lookup_opinion(session, "YJ20261127-9999")


def test_before_publication_a_citizen_only_learns_it_is_being_studied(db, synced):
    with db.session() as session:
        receipt = submit_opinion(
            session,
            synced[PARKING],
            "第十二条",
            "我是张伟，手机13812345678。" + TEXT,
            named=True,
            name="张伟",
            phone="138-1234-5678",
            contact_ok=True,
            channel="telegram",
            sender_id="tg-7",
            now=NOW,
        )
    with db.session() as session:
        status = lookup_opinion(session, receipt.receipt_no.lower())
        assert not status.published and status.outcome is None and status.reason is None
        assert status.outcome_label == "已收到，正在研究" and "正在研究" in status.message
        assert [s.receipt_no for s in opinions_of(session, "telegram", "tg-7")] == [
            receipt.receipt_no
        ]
        stored = session.execute(select(Opinion)).scalar_one()
        assert stored.phone == "13812345678" and stored.terms
        detail = str(
            [e.detail for e in audit.history(session, "consultation_opinion", receipt.receipt_no)]
        )
        assert "张伟" not in detail and "13812345678" not in detail
