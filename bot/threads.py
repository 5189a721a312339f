"""Blocking work (database, search, routing) off the event loop, in one way for every server.

Sanic handlers, Rasa actions and the notice deliverers all run on an event loop; a query or a
model call made there would stall every other conversation, so it runs on a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, TypeVar

from bot.db import Database

T = TypeVar("T")


async def in_thread(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`work(*args, **kwargs)` on a worker thread."""
    return await asyncio.to_thread(work, *args, **kwargs)


async def in_session(db: Database, work: Callable[..., T], *args: Any, reads: bool = False) -> T:
    """`work(session, *args)` in one transaction on a worker thread; with `reads`, a look
    outside any transaction (`Database.reading`)."""

    def job() -> T:
        with db.reading() if reads else db.session() as session:
            return work(session, *args)

    return await in_thread(job)
