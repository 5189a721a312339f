"""Database access: one declarative `Base`, engines and sessions (SQLAlchemy 1.4, 2.0 style).

SQLite is the embedded default; PostgreSQL is the production store. Each capability keeps its
tables in its own module (`bot/handoff.py`, `bot/tickets/models.py`, ...) on this `Base`; the
schema is created and changed only by Alembic migrations in `bot/migrations/`.
"""

from __future__ import annotations

import os
import select
import time
import weakref
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterator, Optional

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.expression import Executable

from bot import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    """Timezone-aware now (`bot.clock.now`); stored as UTC everywhere."""
    return clock.now()


_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_inherited_connections() -> None:
    """In a forked child (Sanic's and rasa_sdk's workers fork after the parent warmed up), drop
    the pooled connections inherited from the parent without closing them: two processes on one
    PostgreSQL socket or one SQLite handle corrupt each other's results ("error with status
    PGRES_TUPLES_OK and no message from the libpq")."""
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for `url` whose pooled connections a forked child never reuses."""
    engine = _make_engine(url, **kwargs)
    _engines.add(engine)
    return engine


def _make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for `url`; SQLite gets WAL, foreign keys and a busy timeout.

    A SQLite file's connections are pooled (SQLAlchemy 1.4 opens and closes one per session):
    profiled at one conversation, opening (three pragmas) and closing a connection for every
    session was a third of the web service's busy time, most of it the live monitor's steps."""
    if url.startswith("sqlite"):
        if ":memory:" not in url and url.rstrip("/") not in ("sqlite:", "sqlite+pysqlite:"):
            kwargs.setdefault("poolclass", QueuePool)
        engine = create_engine(
            url, future=True, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    return check_pooled_connections(create_engine(url, future=True, **kwargs))


PING_AFTER_IDLE_SECONDS = 30.0
"""A pooled connection unused for longer than this is pinged before use."""


def check_pooled_connections(engine: Engine) -> Engine:
    """Hand out only live pooled connections of a server database, without a round trip each.

    SQLAlchemy's `pool_pre_ping` sends `SELECT 1` before every use of a pooled connection: a
    round trip per transaction, on every message in the web service, Rasa's tracker store and the
    action server (profiled: a tenth of the web service's busy time, bench/PROFILE.md). A server
    that ends a connection (restart, failover, `pg_terminate_backend`, idle timeout) tells the
    client so or closes the socket, so an idle connection with anything to read is dead: that is
    checked locally (`poll`, no round trip). A connection left unused for
    `PING_AFTER_IDLE_SECONDS` may have been dropped silently on the way (a firewall, NAT), so it
    is still pinged. A dead one is replaced before the transaction starts
    (`DisconnectionError` in a checkout listener: the pool reconnects)."""

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_connection, record) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        if record is not None:
            record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection, record, _proxy) -> None:
        idle = time.monotonic() - record.info.get("checked_in", 0.0)
        if not connection_alive(dbapi_connection, ping=idle > PING_AFTER_IDLE_SECONDS):
            raise DisconnectionError("pooled connection closed by the server")

    return engine


def connection_alive(dbapi_connection, ping: bool = False) -> bool:
    """Whether an idle DB-API connection (psycopg2's, or any with `fileno()`) is usable: not
    closed, nothing waiting on its socket, and answering `SELECT 1` when `ping`."""
    if getattr(dbapi_connection, "closed", False):
        return False
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        if poller.poll(0):
            return False
        if ping:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
    except Exception:  # noqa: BLE001 - any failure here means: do not use this connection
        return False
    return True


class Database:
    """An engine with its session factory; one per process, kept on `app.ctx` or passed in."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)
        self._read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._reads = sessionmaker(self._read_engine, future=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits on success, rolls back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for a look that needs no transaction: each statement reads committed data on
        its own (on PostgreSQL no BEGIN and COMMIT round trips around it). Nothing is written."""
        with self._reads() as session:
            yield session

    def first(self, statement: Executable, **parameters: Any) -> Optional[Row]:
        """The first row of a read-only Core `statement`, outside any transaction and without an
        ORM session: for a look made on every message (is a hand-over open?), where a session's
        set-up and the ORM's row loading were most of the time (0.29 → 0.08 ms on SQLite,
        0.43 → 0.16 ms on PostgreSQL, measured)."""
        with self._read_engine.connect() as connection:
            return connection.execute(statement, parameters).first()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def session_scope(database_url: str) -> Iterator[Session]:
    """One transaction on a database opened for it and closed after (command-line tools)."""
    database = Database(database_url)
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()
