"""The shared review step and the append-only publication register."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot import audit
from bot.publishing import (
    PermissionDenied,
    PublishingError,
    RegisterIsAppendOnly,
    RegisterRecord,
    approve,
    full_checklist,
    publish,
    refuse,
    submit,
)
from bot.publishing.register import Query, search, to_csv, versions
from bot.publishing.review import TRANSITIONS, sha256

MOMENT = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)


def _submit(session, text="回应：已组织核查。", reference="topic:1"):
    return submit(
        session, "hotspot_response", reference, text, "city.government_office", "staff:li",
        title="关于某事的回应", now=MOMENT,
    )  # fmt: skip


def test_submit_approve_publish_registers_all_six_fields(db):
    with db.session() as session:
        item = _submit(session)
        approve(session, item.id, reviewer="reviewer:wang", checklist=full_checklist(), now=MOMENT)
        record = publish(session, item.id, publisher="staff:li", channels=["weibo", "web"],
                         now=MOMENT)  # fmt: skip
        number = record.number
    with db.session() as session:
        record = session.execute(select(RegisterRecord)).scalar_one()
        assert number == "FB20261207-0001"
        assert record.content == "回应：已组织核查。"
        assert record.content_hash == sha256("回应：已组织核查。")
        assert record.unit == "city.government_office"
        assert record.reviewer == "reviewer:wang"
        assert record.publisher == "staff:li"
        assert record.published_at == MOMENT
        assert record.channels == ["web", "weibo"]
        assert record.version == 1
        assert record.checklist == full_checklist()
        actions = [event.action for event in audit.history(session, "publication_item", "1")]
        assert actions == ["publishing.submitted", "publishing.approved", "publishing.published"]


def test_the_drafter_never_reviews_and_one_reviewer_per_item(db):
    with db.session() as session:
        item = _submit(session)
        with pytest.raises(PermissionDenied):
            approve(session, item.id, reviewer="reviewer:li", checklist=full_checklist())
        with pytest.raises(PermissionDenied):
            refuse(session, item.id, reviewer="admin:li", reason="不行")
        approve(session, item.id, reviewer="reviewer:wang", checklist=full_checklist())
        with pytest.raises(PublishingError, match="一事一审|不能执行"):
            approve(session, item.id, reviewer="reviewer:zhao", checklist=full_checklist())


def test_the_checklist_must_be_complete_and_a_refusal_needs_its_reason(db):
    with db.session() as session:
        item = _submit(session)
        partial = {**full_checklist(), "no_personal_data": False}
        with pytest.raises(PublishingError, match="个人隐私"):
            approve(session, item.id, reviewer="reviewer:wang", checklist=partial)
        with pytest.raises(PublishingError, match="理由"):
            refuse(session, item.id, reviewer="reviewer:wang", reason=" ")
        refused = refuse(session, item.id, reviewer="reviewer:wang", reason="口径与通报不一致")
        assert (refused.state, refused.refusal_reason) == ("refused", "口径与通报不一致")
        with pytest.raises(PublishingError):
            publish(session, item.id, publisher="staff:li", channels=["web"])


def test_nothing_unreviewed_is_published(db):
    with db.session() as session:
        item = _submit(session)
        with pytest.raises(PublishingError):
            publish(session, item.id, publisher="staff:li", channels=["web"])
        approve(session, item.id, reviewer="reviewer:wang", checklist=full_checklist())
        with pytest.raises(PublishingError, match="渠道"):
            publish(session, item.id, publisher="staff:li", channels=["fax"])
    assert ("submitted", "publish") not in TRANSITIONS


def test_same_content_is_submitted_once_and_new_content_replaces_the_waiting_one(db):
    with db.session() as session:
        first = _submit(session)
        assert _submit(session).id == first.id
        second = _submit(session, text="回应（修改稿）")
        assert second.id != first.id and first.state == "withdrawn"


def test_a_correction_is_a_new_version_and_the_register_is_append_only(db):
    with db.session() as session:
        for text in ("第一版", "更正版"):
            item = _submit(session, text=text)
            approve(session, item.id, reviewer="reviewer:wang", checklist=full_checklist())
            record = publish(session, item.id, publisher="staff:li", channels=["web"])
        history = versions(session, record)
        assert [(r.version, r.content) for r in history] == [(1, "第一版"), (2, "更正版")]
    with pytest.raises(RegisterIsAppendOnly):
        with db.session() as session:
            record = session.execute(select(RegisterRecord)).scalars().first()
            record.content = "改写"
    with pytest.raises(RegisterIsAppendOnly):
        with db.session() as session:
            session.delete(session.execute(select(RegisterRecord)).scalars().first())


def test_search_and_csv(db):
    with db.session() as session:
        for reference in ("topic:1", "topic:2"):
            item = _submit(session, reference=reference)
            approve(session, item.id, reviewer="reviewer:wang", checklist=full_checklist())
            publish(session, item.id, publisher="staff:li", channels=["web"], now=MOMENT)
        assert len(search(session, Query(text="topic:2"))) == 1
        assert len(search(session, Query(kind="hotspot_response"))) == 2
        assert search(session, Query(kind="policy")) == []
        lines = to_csv(search(session, Query())).splitlines()
    assert lines[0].startswith("number,kind,reference,version")
    assert (
        len(lines) == 3 and "reviewer:wang" in lines[1] and "2026-12-07T10:00:00+08:00" in lines[1]
    )


def test_register_and_scorecard_commands(db, settings, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    with db.session() as session:
        for text in ("第一版", "更正版"):
            item = _submit(session, text=text)
            approve(session, item.id, reviewer="reviewer:wang", checklist=full_checklist())
            publish(session, item.id, publisher="staff:li", channels=["web"], now=MOMENT)
    capsys.readouterr()
    assert main(["register", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["version"] for row in rows] == [2, 1]
    assert rows[0]["reviewer"] == "reviewer:wang" and rows[0]["hash_verified"] is True
    assert main(["register", "show", rows[1]["number"], "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["content"] == "第一版" and [v["version"] for v in shown["versions"]] == [1, 2]
    assert main(["register", "show", "FB20000101-0001"]) == 1
    assert "没有登记记录" in capsys.readouterr().err
    assert main(["register", "list", "--csv"]) == 0
    assert capsys.readouterr().out.count("\n") == 3
    assert main(["scorecard", "--month", "2026-11", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["city"][0]["shown"] == "—" and card["city"][0]["denominator"] == 0
    assert main(["scorecard", "--month", "2026-13"]) == 2
