"""Ticket creation and transitions under concurrency, on a real PostgreSQL database."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import pytest
from sqlalchemy import func, select

from bot.accounts import Principal
from bot.clock import LOCAL_TZ
from bot.db import Database
from bot.tickets import service
from bot.tickets.models import Ticket
from bot.tickets.routing import RoutingResult
from tests.concurrency import all_at_once, migrated_postgres

pytestmark = pytest.mark.postgres

DINGHAI = "dinghai.housing_construction"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)
THREADS = 20
COMPLAINT = RoutingResult(
    text="路灯不亮", type="投诉", jurisdiction="dinghai", department_id=DINGHAI
)


@pytest.fixture(scope="module")
def pg() -> Database:
    """A freshly migrated database of its own, dropped afterwards."""
    yield from migrated_postgres(THREADS)


def create(pg: Database, description: str, key: Optional[str] = None) -> str:
    with pg.session() as session:
        ticket = service.create_ticket(
            session,
            COMPLAINT,
            description=description,
            phone="13812345678",
            idempotency_key=key,
            now=NOW,
        )
        return ticket.number


def test_concurrent_creation_hands_out_unique_consecutive_numbers(pg):
    numbers = all_at_once(THREADS, lambda i: create(pg, f"第{i}号投诉：路灯不亮"))

    assert all(isinstance(n, str) for n in numbers), numbers
    assert sorted(numbers) == [f"ZS20261127-{i:04d}" for i in range(1, THREADS + 1)]


def test_a_submission_retried_concurrently_creates_one_ticket(pg):
    numbers = all_at_once(10, lambda i: create(pg, "重复提交的投诉", key="rest:retry:1"))

    assert len(set(numbers)) == 1 and isinstance(numbers[0], str), numbers
    with pg.session() as session:
        count = session.execute(
            select(func.count(Ticket.id)).where(Ticket.idempotency_key == "rest:retry:1")
        ).scalar_one()
    assert count == 1


def test_two_clerks_signing_at_once_sign_once(pg):
    number = create(pg, "两人同时签收")
    clerks = [Principal(i, f"clerk{i}", "department", DINGHAI) for i in range(2)]

    def sign(i: int) -> str:
        with pg.session() as session:
            return service.sign(session, number, clerks[i], now=NOW).status

    outcomes = all_at_once(2, sign)

    assert sorted(map(type, outcomes), key=str) == sorted([str, service.TicketConflict], key=str)
    with pg.session() as session:
        assert [e.action for e in service.history(session, number)].count("ticket.sign") == 1
