"""Pooled PostgreSQL connections are checked before use without a round trip each, and a
connection the server ended is replaced before a transaction gets it."""

from __future__ import annotations

import psycopg2
import pytest
from sqlalchemy import event, text

from bot import db as dbmodule
from bot.db import Database
from bot.localstack import (
    create_postgres_database,
    drop_postgres_database,
    end_postgres_connections,
)


@pytest.fixture
def database():
    try:
        name = create_postgres_database("zs_pool")
    except psycopg2.OperationalError:
        pytest.skip("PostgreSQL is not running")
    database = Database(f"postgresql://postgres@127.0.0.1:5432/{name}", pool_size=1)
    yield name, database
    database.dispose()
    drop_postgres_database(name)


def _statements(database: Database) -> list[str]:
    seen: list[str] = []
    event.listen(
        database.engine, "before_cursor_execute", lambda *args: seen.append(args[2].strip())
    )
    return seen


def _backend(database: Database) -> int:
    with database.session() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_pooled_connection_is_reused_without_a_ping(database):
    _, db = database
    first = _backend(db)
    seen = _statements(db)
    assert _backend(db) == first
    assert seen == ["SELECT pg_backend_pid()"], "no SELECT 1 before the transaction"


def test_a_connection_the_server_ended_is_replaced_before_use(database):
    name, db = database
    first = _backend(db)
    end_postgres_connections(name, first)
    assert _backend(db) != first, "the transaction ran on a new connection, not a failed one"


def test_a_connection_idle_for_long_is_pinged(database, monkeypatch):
    _, db = database
    _backend(db)
    seen = _statements(db)
    monkeypatch.setattr(dbmodule, "PING_AFTER_IDLE_SECONDS", -1.0)
    pinged: list[bool] = []
    alive = dbmodule.connection_alive
    monkeypatch.setattr(
        dbmodule, "connection_alive", lambda c, ping=False: pinged.append(ping) or alive(c, ping)
    )
    _backend(db)
    assert pinged == [True] and seen == ["SELECT pg_backend_pid()"]


def test_a_look_runs_outside_a_transaction(database):
    """`Database.reading`: each statement on its own (no BEGIN/COMMIT round trips), while a
    session stays one transaction."""
    _, db = database
    twice = "SELECT txid_current()"
    with db.reading() as session:
        looks = [session.execute(text(twice)).scalar() for _ in range(2)]
    with db.session() as session:
        transaction = [session.execute(text(twice)).scalar() for _ in range(2)]
    assert looks[0] != looks[1] and transaction[0] == transaction[1]
