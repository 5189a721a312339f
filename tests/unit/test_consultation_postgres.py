"""Receipt numbers and idempotent submission under concurrency, on a real PostgreSQL database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import func, select

from bot.consultation import submit_opinion, sync_drafts
from bot.consultation.models import Draft, Opinion
from bot.db import Database
from bot.dbcli import upgrade
from bot.localstack import create_postgres_database, drop_postgres_database
from tests.unit.consultation_fixtures import NOW, PARKING

pytestmark = pytest.mark.postgres
pytest_plugins = ("tests.unit.consultation_fixtures",)

THREADS = 16
TEXT = "码头短时停车15分钟太短，建议延长到30分钟。"


@pytest.fixture(scope="module")
def pg() -> Database:
    name = create_postgres_database()
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    upgrade(url)
    database = Database(url, pool_size=THREADS, max_overflow=0)
    yield database
    database.dispose()
    drop_postgres_database(name)


@pytest.fixture
def parking(pg: Database, knowledge: Path) -> int:
    with pg.session() as session:
        sync_drafts(session, knowledge, now=NOW)
        return session.execute(select(Draft.id).where(Draft.slug == PARKING)).scalar_one()


def all_at_once(work: Callable[[int], object]) -> list:
    """`work(i)` on THREADS threads released together; results or exceptions, in order."""
    barrier = threading.Barrier(THREADS)

    def job(i: int) -> object:
        barrier.wait()
        try:
            return work(i)
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            return error

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(job, range(THREADS)))


def submit(pg: Database, draft_id: int, key: str) -> str:
    with pg.session() as session:
        return submit_opinion(
            session, draft_id, "第十二条", TEXT, idempotency_key=key, now=NOW
        ).receipt_no


def test_concurrent_submissions_get_consecutive_receipts(pg, parking):
    receipts = all_at_once(lambda i: submit(pg, parking, f"many-{i}"))
    assert not [r for r in receipts if isinstance(r, Exception)], receipts
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in receipts)
    assert len(set(receipts)) == THREADS and numbers == list(
        range(numbers[0], numbers[0] + THREADS)
    )


def test_the_same_submission_sent_many_times_is_stored_once(pg, parking):
    receipts = all_at_once(lambda i: submit(pg, parking, "retried-key"))
    assert not [r for r in receipts if isinstance(r, Exception)], receipts
    assert len(set(receipts)) == 1
    with pg.session() as session:
        stored = session.execute(
            select(func.count(Opinion.id)).where(Opinion.idempotency_key == "retried-key")
        ).scalar_one()
    assert stored == 1
