"""Fixtures and sample data for the consultation tests (used by tests/unit/test_consultation_*.py).

The clock is fixed at 2026-11-27 10:00 Beijing time: the sample parking draft (2026-11-15 to
2026-12-31) is open, the waste-sorting one (2026-09-01 to 2026-10-10) is closed.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.accounts import Principal, User
from bot.consultation import (
    approve_summary,
    decide_group,
    draft_summary,
    group_opinions,
    publish_summary,
    submit_opinion,
    sync_drafts,
)
from bot.consultation.models import Clause, Draft, OpinionGroup
from bot.db import Database
from bot.publishing import full_checklist

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DRAFTS = PROJECT_ROOT / "knowledge" / "drafts"
LABELLED = PROJECT_ROOT / "tests" / "data" / "consultation_grouping.yml"
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
AFTER_CLOSE = datetime(2027, 1, 5, 2, 0, tzinfo=timezone.utc)
PARKING = "zs-parking-2026-sample"


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A knowledge folder holding copies of the sample drafts."""
    folder = tmp_path / "knowledge"
    shutil.copytree(SAMPLE_DRAFTS, folder / "drafts")
    return folder


@pytest.fixture
def synced(db: Database, knowledge: Path) -> dict[str, int]:
    """The sample drafts in the database: slug → id."""
    with db.session() as session:
        report = sync_drafts(session, knowledge, now=NOW - timedelta(days=20))
        assert not report.errors, report.errors
        return {d.slug: d.id for d in session.query(Draft)}


STAFF = {"li": "staff", "zhou": "staff", "wang": "reviewer", "chen": "reviewer"}


@pytest.fixture
def people() -> dict[str, Principal]:
    """Two staff members and two reviewers (commands only need the principal)."""
    return {name: Principal(i, name, role, None) for i, (name, role) in enumerate(STAFF.items(), 1)}


@pytest.fixture
def accounts(db: Database) -> None:
    """The same people as rows in the users table, for the CLI's --as (no real passwords)."""
    with db.session() as session:
        session.add_all(
            User(username=name, display_name=name, role=role, password_hash="-")
            for name, role in STAFF.items()
        )


FEE_TOO_HIGH = [
    "第七条收费标准太高了，首小时5元老百姓负担太重，建议降低收费。",
    "道路停车收费太高，建议首小时收费降到3元以内，减轻市民负担。",
    "停车收费标准偏高，希望降低第七条的收费，5元一小时太贵了。",
]
EV_OPPOSED = "反对新能源汽车免费停车，对燃油车车主不公平，停车位是公共资源。"
PRIVATE = (
    "我是张伟，电话13812345678，备用139-1234-5678。"
    "建议码头短时停车免费时间延长到30分钟，15分钟不够接人，张伟敬上。"
)


def submit_samples(db: Database, draft_id: int) -> dict[str, str]:
    """Five opinions: three alike on fees, one against the EV rule, one with a name and phone."""
    receipts = {}
    with db.session() as session:
        for index, text in enumerate(FEE_TOO_HIGH):
            receipts[f"fee{index}"] = submit_opinion(
                session,
                draft_id,
                "第七条",
                text,
                channel="telegram",
                sender_id=f"tg-{index}",
                contact_ok=True,
                idempotency_key=f"k-fee-{index}",
                now=NOW,
            ).receipt_no
        receipts["ev"] = submit_opinion(
            session,
            draft_id,
            "9",
            EV_OPPOSED,
            channel="web",
            sender_id="web-9",
            contact_ok=False,
            now=NOW,
        ).receipt_no
        receipts["private"] = submit_opinion(
            session,
            draft_id,
            "第12条",
            PRIVATE,
            named=True,
            name="张伟",
            phone="13812345678",
            contact_ok=True,
            channel="telegram",
            sender_id="tg-private",
            now=NOW,
        ).receipt_no
    return receipts


DECISIONS = {
    "第七条": ("部分采纳", "核心区域首小时收费调整为4元，其他区域维持3元。"),
    "第九条": ("不予采纳", "新能源汽车停车优惠是鼓励绿色出行的既定政策，本次暂不调整。"),
    "第十二条": ("采纳", ""),
}


def decide_all(db: Database, draft_id: int, actor: Principal) -> None:
    """Decide every group by its clause (see DECISIONS)."""
    with db.session() as session:
        rows = session.execute(
            select(OpinionGroup, Clause.label)
            .outerjoin(Clause, Clause.id == OpinionGroup.clause_id)
            .where(OpinionGroup.draft_id == draft_id)
        ).all()
        for group, label in rows:
            outcome, reason = DECISIONS[label]
            decide_group(session, group.id, outcome, reason, actor=actor, now=AFTER_CLOSE)


def publish_samples(db: Database, draft_id: int, people: dict[str, Principal]) -> dict[str, str]:
    """The sample opinions taken all the way to a published summary (version 1)."""
    receipts = submit_samples(db, draft_id)
    with db.session() as session:
        group_opinions(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
    decide_all(db, draft_id, people["li"])
    with db.session() as session:
        draft_summary(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        approve_summary(
            session, draft_id, actor=people["wang"], checklist=full_checklist(), now=AFTER_CLOSE
        )
        publish_summary(session, draft_id, actor=people["zhou"], now=AFTER_CLOSE)
    return receipts
