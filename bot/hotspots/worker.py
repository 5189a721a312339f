"""The 舆情 monitor as a process of its own: `python -m bot hotspots monitor`.

It used to run inside the web service, where each step's detection and database writes took the
same interpreter (and GIL) as citizens' requests: with it stopped, the web service's CPU per chat
message halved and the chat's p50/p95 fell about a tenth (bench/PROFILE.md). `make run` and the
multi-instance front start it beside Rasa, the action server and the web service.

One monitor works per deployment: the process that holds the lease (`take_lease`: a lock file
beside the SQLite database, or PostgreSQL's advisory lock on a connection of its own). Every other
instance's monitor stands by and tries again every `STANDBY_SECONDS`, so when the holder dies (its
lock goes with its process or connection) another takes over and catches up from the cursors.
Every monitor process also drains Rasa's RabbitMQ queue when there is one: storing a chat line is
idempotent, so they may share the queue.

The process writes its pid to `--ready-file` once it is either working or standing by: the
supervisor's health check for a service with no port.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import text

from bot.config import Settings
from bot.db import Database
from bot.heap import settle
from bot.hotspots import service
from bot.hotspots.monitor import Monitor, consume_queue
from bot.threads import in_thread

STEP_SECONDS = 0.5
"""Pause between steps when a step found nothing new."""
STANDBY_SECONDS = 10.0
FAILURE_SECONDS = 5.0
SUPERVISE_SECONDS = 30.0
"""How often overdue topics are looked for: their clocks run in hours (5 h, 24 h)."""
LEASE_KEY = 4_611_686_018_427_387_017
"""The PostgreSQL advisory lock held by the process that runs the monitor."""

log = logging.getLogger(__name__)


class Lease:
    """The right to run the one monitor of a deployment, held for the life of this process."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.held: Optional[Any] = None

    def take(self) -> bool:
        if self.held is not None:
            return True
        if self.settings.is_sqlite:
            handle = open(self.settings.var_dir / "hotspots-monitor.lock", "a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            self.held = handle
            return True
        connection = self.db.engine.connect()
        try:
            held = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LEASE_KEY}
            ).scalar()
            connection.commit()
        except Exception:
            connection.close()
            raise
        if not held:
            connection.close()
            return False
        self.held = connection
        return True

    def release(self) -> None:
        """Give the lease up. A pooled PostgreSQL connection would keep its session's advisory
        lock after `close`, so its DBAPI connection is closed outright (`invalidate`)."""
        if self.held is None:
            return
        held, self.held = self.held, None
        if self.settings.is_sqlite:
            held.close()
        else:
            held.invalidate()
            held.close()


def mark_ready(path: Optional[Path]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(str(os.getpid()))
    temporary.replace(path)


async def watch(settings: Settings, db: Database, lease: Lease, ready: Optional[Path]) -> None:
    """Stand by until the lease is ours, then run the monitor until cancelled."""
    while not await in_thread(lease.take):
        mark_ready(ready)
        await asyncio.sleep(STANDBY_SECONDS)
    log.info("hotspot monitor: lease taken, catching up")
    monitor = await in_thread(Monitor, settings, db)
    await in_thread(monitor.start)
    await in_thread(settle)
    mark_ready(ready)
    supervised = 0.0
    while True:
        try:
            read = await in_thread(monitor.step)
            if read == 0:
                if time.monotonic() - supervised >= SUPERVISE_SECONDS:
                    await in_thread(_supervise, db)
                    supervised = time.monotonic()
                await asyncio.sleep(STEP_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the monitor must outlive one bad batch
            log.exception("hotspot monitor step failed")
            await asyncio.sleep(FAILURE_SECONDS)


async def drain_queue(settings: Settings, db: Database) -> None:
    while True:
        try:
            await consume_queue(settings, db, settings.hotspots_queue)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - RabbitMQ down: the queue keeps the events
            log.warning("hotspot queue unavailable: %s", type(error).__name__)
            await asyncio.sleep(10)


def _supervise(db: Database) -> None:
    with db.session() as session:
        service.supervise_overdue(session)


async def serve(settings: Settings, ready: Optional[Path] = None) -> None:
    """Run until SIGTERM or SIGINT."""
    db = Database(settings.database_url)
    lease = Lease(settings, db)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    tasks = [asyncio.create_task(watch(settings, db, lease, ready), name="hotspot-monitor")]
    if settings.rabbitmq_url:
        tasks.append(asyncio.create_task(drain_queue(settings, db), name="hotspot-queue"))
    stopping = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopping:
                task.result()  # a task that ended by itself failed: let it be seen
    finally:
        for task in [stopping, *tasks]:
            task.cancel()
        await asyncio.gather(stopping, *tasks, return_exceptions=True)
        lease.release()
        db.dispose()
        if ready is not None:
            ready.unlink(missing_ok=True)
