"""Rasa's SQL tracker store, with the embedded SQLite database set up the way our own data is.

Rasa opens SQLite with SQLAlchemy 1.4's defaults: a new connection for every session and a
rollback journal that is fsynced on every commit, so each message pays for two connects and two
fsyncs (measured: a fifth of the Rasa process's time per message). Here SQLite gets the settings of
`bot.db.make_engine`: write-ahead log, `synchronous=NORMAL` (a commit survives the process crashing;
only a power cut can take back the last ones) and a busy timeout, through a small connection pool.
PostgreSQL keeps Rasa's pool settings, with one addition: each pooled connection is checked
before use (`pool_pre_ping`). Without it, after PostgreSQL restarts or drops connections, every
stale connection in a Rasa worker's pool fails once; Rasa's fail-safe store then answers that
message from an empty conversation, so slots (e.g. the policy a follow-up refers to) and open
forms are lost at random, on whichever worker picks a stale connection. Selected in the rendered
endpoints (`bot/runner.py`) as `type: bot.tracker_store.TrackerStore`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.db import make_engine

SQLITE_POOL_SIZE = 4


class TrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose SQLite engine is ours (WAL, pooled connections)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        if self.engine.dialect.name == "sqlite":
            self.engine = make_engine(
                str(url), poolclass=QueuePool, pool_size=SQLITE_POOL_SIZE, max_overflow=8
            )
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)
