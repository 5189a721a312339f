"""Receipt numbers and idempotent submission under concurrency, on a real PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.consultation import submit_opinion, sync_drafts
from bot.consultation.models import Draft, Opinion
from bot.db import Database
from tests.concurrency import all_at_once, migrated_postgres
from tests.unit.consultation_fixtures import NOW, PARKING

pytestmark = pytest.mark.postgres
pytest_plugins = ("tests.unit.consultation_fixtures",)

THREADS = 16
TEXT = "码头短时停车15分钟太短，建议延长到30分钟。"


@pytest.fixture(scope="module")
def pg() -> Database:
    """A freshly migrated database of its own, dropped afterwards."""
    yield from migrated_postgres(THREADS)


@pytest.fixture
def parking(pg: Database, knowledge: Path) -> int:
    with pg.session() as session:
        sync_drafts(session, knowledge, now=NOW)
        return session.execute(select(Draft.id).where(Draft.slug == PARKING)).scalar_one()


def submit(pg: Database, draft_id: int, key: str) -> str:
    with pg.session() as session:
        return submit_opinion(
            session, draft_id, "第十二条", TEXT, idempotency_key=key, now=NOW
        ).receipt_no


def test_concurrent_submissions_get_consecutive_receipts(pg, parking):
    receipts = all_at_once(THREADS, lambda i: submit(pg, parking, f"many-{i}"))
    assert not [r for r in receipts if isinstance(r, Exception)], receipts
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in receipts)
    assert len(set(receipts)) == THREADS and numbers == list(
        range(numbers[0], numbers[0] + THREADS)
    )


def test_the_same_submission_sent_many_times_is_stored_once(pg, parking):
    receipts = all_at_once(THREADS, lambda i: submit(pg, parking, "retried-key"))
    assert not [r for r in receipts if isinstance(r, Exception)], receipts
    assert len(set(receipts)) == 1
    with pg.session() as session:
        stored = session.execute(
            select(func.count(Opinion.id)).where(Opinion.idempotency_key == "retried-key")
        ).scalar_one()
    assert stored == 1
