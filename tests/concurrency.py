"""Helpers for tests that race real database transactions against each other."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator

from bot.db import Database
from bot.dbcli import upgrade
from bot.localstack import create_postgres_database, drop_postgres_database


def migrated_postgres(pool_size: int) -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database of its own (for a fixture), dropped afterwards."""
    name = create_postgres_database()
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    upgrade(url)
    database = Database(url, pool_size=pool_size, max_overflow=0)
    yield database
    database.dispose()
    drop_postgres_database(name)


def all_at_once(count: int, work: Callable[[int], object]) -> list:
    """Run `work(i)` on `count` threads released together; results or exceptions, in order."""
    barrier = threading.Barrier(count)

    def job(i: int) -> object:
        barrier.wait()
        try:
            return work(i)
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            return error

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(job, range(count)))
