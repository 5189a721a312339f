"""The whole consultation loop: submit → group → decide → summarise → review → publish → look up."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import audit, notices
from bot.consultation import (
    ConsultationError,
    PermissionDenied,
    approve_summary,
    decide_group,
    decide_opinion,
    draft_summary,
    group_opinions,
    lookup_opinion,
    publish_summary,
    return_summary,
)
from bot.consultation.models import Draft, FrozenRecordError, OpinionGroup, Summary
from bot.consultation.publish import publication, publications
from bot.consultation.report import build_content, content_hash
from bot.publishing import RegisterIsAppendOnly, RegisterRecord, full_checklist
from tests.unit.consultation_fixtures import (
    AFTER_CLOSE,
    NOW,
    PARKING,
    decide_all,
    publish_samples,
    submit_samples,
)

pytest_plugins = ("tests.unit.consultation_fixtures",)


def test_full_loop(db, synced, people):
    draft_id = synced[PARKING]
    receipts = submit_samples(db, draft_id)

    with db.session() as session:
        before = lookup_opinion(session, receipts["fee0"])
        assert not before.published and before.outcome is None and before.reason is None
        assert "已收到，正在研究" in before.message

        report = group_opinions(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        assert report.opinions == 5
        groups = (
            session.execute(select(OpinionGroup).where(OpinionGroup.draft_id == draft_id))
            .scalars()
            .all()
        )
        sizes = sorted(g.size for g in groups)
        assert sizes == [1, 1, 3], "the three fee opinions form one group"
        big = next(g for g in groups if g.size == 3)

        with pytest.raises(ConsultationError, match="必须说明理由"):
            decide_group(session, big.id, "不予采纳", "", actor=people["li"], now=AFTER_CLOSE)
        with pytest.raises(PermissionDenied):
            decide_group(session, big.id, "采纳", "", actor=people["wang"], now=AFTER_CLOSE)
        with pytest.raises(ConsultationError, match="没有处理决定"):
            draft_summary(session, draft_id, actor=people["li"], now=AFTER_CLOSE)

    decide_all(db, draft_id, people["li"])

    with db.session() as session:
        with pytest.raises(ConsultationError, match="结束后才能起草"):
            draft_summary(session, draft_id, actor=people["li"], now=NOW)
        summary = draft_summary(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        assert summary.version == 1 and summary.state == "drafted"
        with pytest.raises(ConsultationError, match="尚未审核通过"):
            publish_summary(session, draft_id, actor=people["li"], now=AFTER_CLOSE)

    with db.session() as session:
        with pytest.raises(PermissionDenied, match="起草人不能审核"):
            approve_summary(
                session,
                draft_id,
                actor=_as_reviewer(people["li"]),
                checklist=full_checklist(),
                now=AFTER_CLOSE,
            )
        with pytest.raises(PermissionDenied):
            approve_summary(
                session, draft_id, actor=people["zhou"], checklist=full_checklist(), now=AFTER_CLOSE
            )
        approve_summary(
            session, draft_id, actor=people["wang"], checklist=full_checklist(), now=AFTER_CLOSE
        )
        assert lookup_opinion(session, receipts["fee0"]).published is False

    with db.session() as session:
        record = publish_summary(
            session,
            draft_id,
            actor=people["li"],
            public_base_url="https://zs.example",
            now=AFTER_CLOSE,
        )
        assert record.version == 1 and record.reviewer == "reviewer:wang"
        assert record.publisher == "staff:li" and record.channel == "web"
        assert record.content_hash == summary.content_hash

    with db.session() as session:
        after = lookup_opinion(session, receipts["fee1"])
        assert after.published and after.outcome == "partially_adopted"
        assert after.outcome_label == "部分采纳" and "4元" in after.reason
        ev = lookup_opinion(session, receipts["ev"])
        assert (
            ev.outcome_label == "不予采纳" and "绿色出行" in ev.reason and "绿色出行" in ev.message
        )
        actions = [
            e.action for e in audit.history(session, "consultation_summary", str(summary.id))
        ]
        assert actions == [
            "consultation.summary_drafted",
            "consultation.summary_approved",
            "consultation.summary_published",
        ]

        messages = notices.pending(session, "telegram")
        recipients = {("telegram", m.recipient) for m in messages}
        assert recipients == {
            ("telegram", "tg-0"),
            ("telegram", "tg-1"),
            ("telegram", "tg-2"),
            ("telegram", "tg-private"),
        }
        first = next(m for m in messages if m.recipient == "tg-0")
        assert receipts["fee0"] in first.message and "部分采纳" in first.message
        assert f"https://zs.example/consultations/{draft_id}/summary" in first.message
        notices.mark_sent(session, first.id, now=AFTER_CLOSE)
        assert len(notices.pending(session, "telegram")) == 3


def _as_reviewer(principal):
    return type(principal)(principal.user_id, principal.username, "reviewer", None)


def test_published_summary_has_no_names_or_phone_numbers(db, synced, people):
    draft_id = synced[PARKING]
    publish_samples(db, draft_id, people)
    with db.session() as session:
        record = publication(session, draft_id)
        summary = session.get(Summary, record.summary_id)
        published_json = json.dumps(summary.content, ensure_ascii=False)
        for text in (record.html, published_json):
            assert "张伟" not in text and "13812345678" not in text and "1234-5678" not in text
            assert "tg-private" not in text and "YJ2026" not in text
        assert "张*" in published_json and "138****5678" in published_json
        assert "<svg" not in record.html and "data:image/svg+xml;base64," in record.html
        assert "不予采纳" in record.html and "绿色出行" in record.html


def test_reviewer_can_return_and_changes_after_approval_need_a_new_draft(db, synced, people):
    draft_id = synced[PARKING]
    receipts = submit_samples(db, draft_id)
    with db.session() as session:
        group_opinions(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
    decide_all(db, draft_id, people["li"])
    with db.session() as session:
        draft_summary(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        returned = return_summary(
            session, draft_id, actor=people["wang"], note="理由写得更具体些", now=AFTER_CLOSE
        )
        assert returned.state == "returned"
        with pytest.raises(ConsultationError, match="没有待审核"):
            approve_summary(
                session, draft_id, actor=people["wang"], checklist=full_checklist(), now=AFTER_CLOSE
            )
        again = draft_summary(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        assert again.id == returned.id and again.version == 1 and again.state == "drafted"
        approve_summary(
            session, draft_id, actor=people["wang"], checklist=full_checklist(), now=AFTER_CLOSE
        )
        decide_opinion(session, receipts["ev"], "采纳", "", actor=people["li"], now=AFTER_CLOSE)
        with pytest.raises(ConsultationError, match="重新起草"):
            publish_summary(session, draft_id, actor=people["li"], now=AFTER_CLOSE)


def test_supersede_creates_a_new_version_and_keeps_the_old(db, synced, people):
    draft_id = synced[PARKING]
    receipts = publish_samples(db, draft_id, people)
    later = AFTER_CLOSE + timedelta(days=3)
    with db.session() as session:
        first = publication(session, draft_id)
        old_html, old_hash = first.html, first.content_hash
        group = decide_opinion(
            session,
            receipts["fee2"],
            "采纳",
            "核心区首小时收费降至3元。",
            actor=people["zhou"],
            now=later,
        )
        assert group.size == 1
        assert (
            lookup_opinion(session, receipts["fee2"]).outcome_label == "部分采纳"
        ), "until the new version is published, the public still sees version 1"
        draft_summary(session, draft_id, actor=people["zhou"], now=later)
        approve_summary(
            session, draft_id, actor=people["chen"], checklist=full_checklist(), now=later
        )
        second = publish_summary(session, draft_id, actor=people["zhou"], now=later)
        assert second.version == 2 and second.content_hash != old_hash

    with db.session() as session:
        assert [p.version for p in publications(session, draft_id)] == [1, 2]
        kept = publication(session, draft_id, version=1)
        assert kept.html == old_html and kept.content_hash == old_hash
        assert session.get(Summary, kept.summary_id).state == "superseded"
        assert publication(session, draft_id).version == 2
        assert "本版替代第1版" in publication(session, draft_id).html
        assert lookup_opinion(session, receipts["fee2"]).outcome_label == "采纳"
        assert lookup_opinion(session, receipts["fee0"]).outcome_label == "部分采纳"
        v1 = session.get(Summary, kept.summary_id)
        assert content_hash(v1.content) == v1.content_hash
        assert content_hash(build_content(session, session.get(Draft, draft_id))) != v1.content_hash


def test_published_records_cannot_be_changed_silently(db, synced, people):
    draft_id = synced[PARKING]
    publish_samples(db, draft_id, people)
    with pytest.raises(FrozenRecordError):
        with db.session() as session:
            summary = session.execute(
                select(Summary).where(Summary.draft_id == draft_id)
            ).scalar_one()
            summary.content = {**summary.content, "sections": []}
    with pytest.raises(RegisterIsAppendOnly):
        with db.session() as session:
            record = session.execute(select(RegisterRecord)).scalar_one()
            record.content = "{}"
